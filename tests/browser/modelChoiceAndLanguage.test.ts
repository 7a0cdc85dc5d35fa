// In a real browser: text that is not Vietnamese says so instead of a label, the fast/accurate toggle picks the model
// on / and /batch, and the batch page counts and marks the rows that are not Vietnamese.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Papa from "papaparse";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR } from "../../server/repoPaths.ts";
import { launchChromium } from "../support/chromium.ts";
import { startTestServer, type TestServer } from "../support/testServer.ts";

const ACCURATE_VERSION = "0.7.0-accurate-browser-copy";

describe("language flag and model choice in the browser", () => {
  let server: TestServer;
  let browser: Browser;
  let accurateDir: string;

  beforeAll(async () => {
    // a copy of the bundled folder under another version stands in for the accurate model the lead trains
    accurateDir = mkdtempSync(path.join(os.tmpdir(), "camxuc-accurate-"));
    cpSync(DEFAULT_MODEL_DIR, accurateDir, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(accurateDir, "config.json"), "utf8"));
    writeFileSync(path.join(accurateDir, "config.json"), JSON.stringify({ ...config, version: ACCURATE_VERSION }));
    browser = await launchChromium();
    server = await startTestServer("pglite", { ACCURATE_MODEL_DIR: accurateDir, BATCH_CHUNK_ROWS: "2" }, { withUi: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(accurateDir, { recursive: true, force: true });
  });

  it("says 'not Vietnamese' instead of a label, and answers with the accurate model when asked", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/`);
    await page.fill("[data-testid=predict-text]", "This product is great, fast delivery and good packaging");
    await page.click("main button[type=submit]");
    await page.waitForSelector("[data-testid=predict-result]");
    expect(await page.textContent("[data-testid=predict-not-vietnamese]")).toBe("Không phải tiếng Việt");
    expect(await page.getAttribute("[data-testid=predict-not-vietnamese]", "data-language")).toBe("en");
    expect(await page.locator("[data-testid=predict-label]").count()).toBe(0);

    await page.fill("[data-testid=predict-text]", "Giao hàng nhanh, đóng gói cẩn thận");
    await page.check("[data-testid=model-accurate]");
    await page.click("main button[type=submit]");
    await page.waitForFunction((version) => document.querySelector("[data-testid=predict-result]")?.textContent?.includes(version), ACCURATE_VERSION);
    expect(await page.locator("[data-testid=predict-not-vietnamese]").count()).toBe(0);
  });

  it("uploads a batch on the accurate model and counts the rows that are not Vietnamese", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/register`);
    await page.fill("#email", "ngon-ngu@example.com");
    await page.fill("#password", "mat-khau-an-toan");
    await page.click("main button[type=submit]");
    await page.waitForSelector("[data-testid=current-user]");
    const file = path.join(os.tmpdir(), `camxuc-language-${process.pid}.csv`);
    writeFileSync(file, Papa.unparse([["review"], ["Pin tụt nhanh quá, máy nóng"], ["The battery drains quickly and the phone gets hot"], ["hang dung nhu mo ta, dang tien"], ["这个产品很好，发货很快"]]));
    await page.goto(`${server.url}/batch`);
    await page.setInputFiles("[data-testid=batch-file]", file);
    await page.waitForSelector("[data-testid=batch-preview]");
    await page.check("[data-testid=model-accurate]");
    await page.click("[data-testid=batch-upload]");
    await page.waitForURL(/\/batches\/[0-9a-f-]+$/);
    await page.waitForSelector("[data-testid=batch-table]", { timeout: 60_000 });
    expect(await page.textContent("[data-testid=batch-not-vietnamese]")).toBe("2");
    expect(await page.locator("[data-testid=row-not-vietnamese]").count()).toBe(2);
    const batchId = page.url().split("/").pop()!;
    const stored = await server.services.db.prisma.batch.findUniqueOrThrow({ where: { id: batchId } });
    expect(stored).toMatchObject({ modelKind: "accurate", modelVersion: ACCURATE_VERSION });
    rmSync(file, { force: true });
  });
});
