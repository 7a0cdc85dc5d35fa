// Debian's chromium through playwright-core, started with the flags these offline machines need, and the page steps several browser tests share.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startTestServer, type TestServer } from "./testServer.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** Fills and submits the login or sign-up form. */
export async function submitCredentials(page: Page, email: string, password: string): Promise<void> {
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("main button[type=submit]");
}

/** A chromium and a server with the UI for the test file (started before its tests, closed after): `get()` gives both. */
export function browserAndUiServer(env: Record<string, string> = {}): { get(): { browser: Browser; server: TestServer } } {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer("pglite", env, { withUi: true });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return { get: () => ({ browser: browser!, server: server! }) };
}
