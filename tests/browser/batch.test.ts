// A real browser uploads a CSV on /batch, watches the bar reach 100 %, sees the chart and word clouds,
// clicks a word to filter the table, and downloads the results CSV; also a 390 px phone screenshot.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Papa from "papaparse";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/testServer.ts";
import { launchChromium } from "../support/chromium.ts";
import { reviewCsv } from "../support/batchFiles.ts";

const ROWS = 300;

describe("batch analysis in the browser", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer("pglite", { BATCH_CHUNK_ROWS: "100" }, { withUi: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("uploads a file, shows progress to 100 %, charts, word clouds, filters by a word and exports", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    await page.goto(`${server.url}/register`);
    await page.fill("#email", "lan@example.com");
    await page.fill("#password", "mat-khau-an-toan");
    await page.click("main button[type=submit]");
    await page.waitForSelector("[data-testid=current-user]");

    const file = path.join(os.tmpdir(), `camxuc-batch-${process.pid}.csv`);
    writeFileSync(file, reviewCsv(ROWS));
    await page.goto(`${server.url}/batch`);
    await page.setInputFiles("[data-testid=batch-file]", file);
    await page.waitForSelector("[data-testid=batch-preview]");
    expect(await page.inputValue("[data-testid=batch-text-column]")).toBe("review");
    await page.click("[data-testid=batch-upload]");
    await page.waitForURL(/\/batches\/[0-9a-f-]+$/);
    await page.waitForFunction(() => document.querySelector("[data-testid=batch-progress]")?.getAttribute("aria-valuenow") === "100", undefined, { timeout: 120_000 });
    await page.waitForSelector("[data-testid=batch-table]", { timeout: 60_000 });
    expect(await page.textContent("[data-testid=batch-status]")).toBe("Hoàn tất");
    await page.waitForSelector("[data-testid=batch-chart][data-state=ready] svg");
    const cloud = page.locator("[data-testid^=batch-cloud-][data-state=ready]").first();
    await cloud.waitFor();
    expect(await cloud.locator("svg text").count()).toBeGreaterThan(3);

    mkdirSync("test-results", { recursive: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test-results/batch-390px.png", fullPage: true });
    await page.setViewportSize({ width: 1200, height: 900 });

    // clicking a word filters the table to rows holding it
    // the viewport change above lays the cloud out again (its words are redrawn): a click may land on a word being
    // replaced, so it is tried again until the page navigates (a person would click again too)
    // first wait until the words stop moving: on a loaded machine the new layout is drawn in slices
    let layout = "";
    for (let poll = 0; poll < 40; poll++) {
      const now = JSON.stringify(await cloud.locator("svg text").evaluateAll((texts) => texts.map((t) => [t.textContent, t.getAttribute("transform"), t.getAttribute("x"), t.getAttribute("y")])));
      if (now === layout) break;
      layout = now;
      await page.waitForTimeout(300);
    }
    let word = "";
    for (let attempt = 0; attempt < 3 && !/[?&]q=/.test(page.url()); attempt++) {
      word = (await cloud.locator("svg text").first().textContent())!;
      await cloud.locator("svg text").first().click();
      await page.waitForURL(/[?&]q=/, { timeout: 10_000 }).catch(() => undefined);
    }
    expect(page.url()).toMatch(/[?&]q=/);
    word = new URL(page.url()).searchParams.get("q") ?? word;
    await page.waitForSelector("[data-testid=batch-table]");
    const texts = await page.locator("[data-testid=batch-table] tbody tr td:nth-child(2)").allTextContents();
    expect(texts.length).toBeGreaterThan(0);
    const fold = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
    for (const text of texts) for (const part of fold(word).split(" ")) expect(fold(text)).toContain(part);

    await page.goto(page.url().split("?")[0]!);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=batch-export-all]")]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const rows = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data;
    expect(rows[0]!.slice(0, 6)).toEqual(["id", "review", "stars", "row", "label", "confidence"]);
    expect(rows).toHaveLength(ROWS + 1);
    expect(rows[1]![1]).toBe(reviewCsv(1).split("\r\n")[1]!.split(",").slice(1, -1).join(",").replace(/^"|"$/g, "").replace(/""/g, '"'));
  }, 300_000);
});
