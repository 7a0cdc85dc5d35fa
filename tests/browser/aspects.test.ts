// A real browser uploads phone reviews with the domain "phones", sees the aspect x sentiment chart, clicks a
// bar segment and sees the rows filtered to that aspect and polarity; then one text's aspect chips on /.
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/testServer.ts";
import { launchChromium, submitCredentials } from "../support/chromium.ts";
import { phoneReviewCsv, PHONE_WEAK_BATTERY } from "../support/aspectFiles.ts";

describe("aspects in the browser", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer("pglite", { BATCH_CHUNK_ROWS: "50" }, { withUi: true });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("charts a batch's aspects and filters the rows to the aspect and polarity clicked", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/register`);
    await submitCredentials(page, "minh@example.com", "mat-khau-an-toan");
    await page.waitForSelector("[data-testid=current-user]");

    const file = path.join(os.tmpdir(), `camxuc-aspects-${process.pid}.csv`);
    writeFileSync(file, phoneReviewCsv(60));
    await page.goto(`${server.url}/batch`);
    await page.setInputFiles("[data-testid=batch-file]", file);
    await page.waitForSelector("[data-testid=batch-preview]");
    await page.selectOption("[data-testid=domain-select]", "phones");
    await page.click("[data-testid=batch-upload]");
    await page.waitForURL(/\/batches\/[0-9a-f-]+$/);
    await page.waitForSelector("[data-testid=batch-table]", { timeout: 120_000 });
    const chart = page.locator("[data-testid=aspect-chart][data-state=ready]");
    await chart.waitFor({ timeout: 60_000 });

    // the chart's bars are SVG paths; click the largest segment (the most mentioned aspect's biggest polarity)
    const bars = chart.locator("svg path[fill='#ef4444'], svg path[fill='#94a3b8'], svg path[fill='#10b981']");
    expect(await bars.count()).toBeGreaterThan(0);
    const boxes = await bars.evaluateAll((paths) => paths.map((p) => { const r = p.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2, area: r.width * r.height }; }));
    const biggest = boxes.sort((a, b) => b.area - a.area)[0]!;
    await page.mouse.click(biggest.x, biggest.y);
    await page.waitForURL(/[?&]aspect=[A-Z_]+&polarity=(negative|neutral|positive)/);
    const url = new URL(page.url());
    const aspect = url.searchParams.get("aspect")!;
    const polarity = url.searchParams.get("polarity")!;
    await page.waitForSelector(`[data-testid=aspect-filter][data-aspect=${aspect}]`);
    const rows = page.locator("[data-testid=batch-table] tbody tr");
    expect(await rows.count()).toBeGreaterThan(0);
    for (const cell of await page.locator("[data-testid=row-aspects]").all()) {
      expect(await cell.locator(`[data-aspect=${aspect}][data-polarity=${polarity}]`).count()).toBe(1);
    }
    await page.screenshot({ path: path.join(os.tmpdir(), "camxuc-aspects-batch.png"), fullPage: true });
  }, 300_000);

  it("shows one text's aspects as chips named in the reader's language, beside the explanation", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(server.url);
    await page.fill("[data-testid=predict-text]", PHONE_WEAK_BATTERY);
    await page.selectOption("[data-testid=domain-select]", "phones");
    await page.click("main button[type=submit]");
    const chip = page.locator("[data-testid=aspect-chip][data-aspect=BATTERY]");
    await chip.waitFor();
    expect(await chip.getAttribute("data-polarity")).toBe("negative");
    expect(await chip.textContent()).toMatch(/^Pin: Tiêu cực/);
    expect(await page.locator("[data-testid=explain-word]").count()).toBeGreaterThan(3);
  }, 120_000);
});
