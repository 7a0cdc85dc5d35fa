// The batch page names the encoding the server found for the previewed file, in Vietnamese and in English,
// and warns when it is Windows-1258 (issue 25, item 8).
import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserAndUiServer } from "../support/chromium.ts";
import type { TestServer } from "../support/testServer.ts";
import { windows1258 } from "../support/windows1258.ts";

const CSV = "id,review\n1,Sản phẩm rất tốt giao hàng nhanh\n2,Hàng kém chất lượng quá\n";

describe("the encoding on the batch preview", () => {
  const setup = browserAndUiServer();
  let server: TestServer;
  let browser: Browser;

  beforeAll(() => ({ browser, server } = setup.get()));

  it("shows UTF-8 or Windows-1258 in the reader's language", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/register`);
    await page.fill("#email", "bang-ma@example.com");
    await page.fill("#password", "mat-khau-an-toan");
    await page.click("main button[type=submit]");
    await page.waitForSelector("[data-testid=current-user]");
    const utf8File = path.join(os.tmpdir(), `camxuc-utf8-${process.pid}.csv`);
    const legacyFile = path.join(os.tmpdir(), `camxuc-1258-${process.pid}.csv`);
    writeFileSync(utf8File, CSV);
    writeFileSync(legacyFile, windows1258(CSV));
    const encodingShown = async (file: string) => {
      await page.goto(`${server.url}/batch`);
      await page.setInputFiles("[data-testid=batch-file]", file);
      await page.waitForSelector("[data-testid=batch-preview]");
      return page.textContent("[data-testid=batch-encoding]");
    };

    expect(await encodingShown(utf8File)).toBe("Bảng mã: UTF-8");
    expect(await encodingShown(legacyFile)).toMatch(/^Bảng mã: Windows-1258 .*CSV UTF-8$/);
    expect(await page.locator("[data-testid=batch-preview] td").nth(1).textContent()).toBe("Sản phẩm rất tốt giao hàng nhanh");
    await page.context().addCookies([{ name: "camxuc_lang", value: "en", url: server.url }]);
    expect(await encodingShown(utf8File)).toBe("Encoding: UTF-8");
    expect(await encodingShown(legacyFile)).toMatch(/^Encoding: Windows-1258 .*CSV UTF-8$/);
    rmSync(utf8File, { force: true });
    rmSync(legacyFile, { force: true });
  }, 300_000);

  it("names a row skipped for a damaged byte, with its offset, on the batch's page", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/register`);
    await page.fill("#email", "byte-hong@example.com");
    await page.fill("#password", "mat-khau-an-toan");
    await page.click("main button[type=submit]");
    await page.waitForSelector("[data-testid=current-user]");
    const lines = ["id,review", ...Array.from({ length: 12 }, (_, i) => `${i + 1},Sản phẩm rất tốt giao hàng nhanh lần ${i + 1}`)];
    const bytes = Buffer.from(lines.join("\n") + "\n", "utf8");
    const offset = bytes.indexOf("\n3,") + 3;
    bytes[offset] = 0xff;
    const file = path.join(os.tmpdir(), `camxuc-damaged-${process.pid}.csv`);
    writeFileSync(file, bytes);
    await page.goto(`${server.url}/batch`);
    await page.setInputFiles("[data-testid=batch-file]", file);
    await page.waitForSelector("[data-testid=batch-preview]");
    expect(await page.textContent("[data-testid=batch-encoding]")).toBe("Bảng mã: UTF-8");
    await page.click("[data-testid=batch-upload]");
    await page.waitForURL(/\/batches\/[0-9a-f-]+$/);
    await page.waitForSelector("[data-testid=batch-table]", { timeout: 120_000 });
    await page.click("[data-testid=batch-skipped] summary");
    expect(await page.textContent("[data-testid=batch-skipped] li")).toBe(
      `Dòng 3: có byte không hợp lệ theo UTF-8 ở vị trí byte ${offset} của tệp (tính từ 0); dòng này bị bỏ qua, phần còn lại của tệp vẫn đọc bằng UTF-8`,
    );
    rmSync(file, { force: true });
  }, 300_000);
});
