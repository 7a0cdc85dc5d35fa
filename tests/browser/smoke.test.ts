// A real browser (Debian's chromium via playwright-core) against the real server: accounts, language, analysis.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Papa from "papaparse";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/testServer.ts";
import { launchChromium, submitCredentials } from "../support/chromium.ts";

/** Clicks the history's download link and parses the CSV the browser saved. */
async function downloadCsv(page: Page): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=history-download]")]);
  const text = readFileSync((await download.path())!, "utf8");
  expect(text.startsWith("\uFEFF")).toBe(true);
  return Papa.parse<string[]>(text.slice(1), { skipEmptyLines: true }).data;
}

describe("browser smoke test", () => {
  let server: TestServer;
  let browser: Browser;
  /** Content-Security-Policy violations and uncaught script errors on any page the tests open. */
  const pageProblems: string[] = [];
  const newPage = async (options: Parameters<Browser["newPage"]>[0]): Promise<Page> => {
    const page: Page = await browser.newPage(options);
    page.on("console", (message) => {
      if (message.type() === "error" && /Content.Security.Policy|Refused to/i.test(message.text())) pageProblems.push(message.text());
    });
    page.on("pageerror", (error) => pageProblems.push(`${error.name}: ${error.message}`));
    return page;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    // Small history pages, so that the page links and the CSV export's paging are exercised.
    server = await startTestServer("pglite", { HISTORY_PAGE_SIZE: "3", HISTORY_MAX_PAGE_SIZE: "3" }, { withUi: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("registers, logs out, logs in and switches language", async () => {
    const page = await newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`${server.url}/register`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Tạo tài khoản");
    expect(await page.title()).toBe("Tạo tài khoản · Cảm xúc");

    // Inline validation: a short password is refused with the reason, in Vietnamese.
    await submitCredentials(page, "trinh@example.com", "short");
    await page.waitForSelector("#password-error");
    expect(await page.textContent("#password-error")).toContain("ít nhất 8 ký tự");

    await submitCredentials(page, "trinh@example.com", "mat-khau-an-toan");
    await page.waitForSelector("[data-testid=current-user]");
    expect(await page.textContent("[data-testid=current-user]")).toBe("trinh@example.com");

    await page.goto(`${server.url}/logout`);
    await page.click("main button[type=submit]");
    await page.waitForSelector("a[href='/login']");

    await page.goto(`${server.url}/login`);
    await submitCredentials(page, "trinh@example.com", "wrong-password");
    await page.waitForSelector("[data-testid=form-error]");
    expect(await page.textContent("[data-testid=form-error]")).toBe("Email hoặc mật khẩu không đúng");

    await submitCredentials(page, "trinh@example.com", "mat-khau-an-toan");
    await page.waitForSelector("[data-testid=current-user]");

    await page.click("[data-testid=language-switch]");
    await page.waitForSelector("text=Analyse the sentiment of a text");
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.title()).toBe("Cảm xúc — Vietnamese sentiment analysis");
    // Error pages speak the visitor's language too, not the HTTP status text.
    const missing = await page.goto(`${server.url}/khong-co-trang-nay`);
    expect(missing?.status()).toBe(404);
    expect(await page.textContent("[data-testid=error-message]")).toBe("404 · Page not found");
    expect(await page.title()).toBe("Page not found · Cảm xúc");
    await page.goto(server.url);
    await page.click("[data-testid=language-switch]");
    await page.waitForSelector("text=Phân tích cảm xúc một đoạn văn");
    await page.close();
  });

  it("keeps a signed-in user's analyses in a searchable history and draws them on the dashboard", async () => {
    const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await page.goto(`${server.url}/register`);
    await submitCredentials(page, "lan@example.com", "mat-khau-cua-lan");
    await page.waitForSelector("[data-testid=predict-text]");
    for (const text of ["Giao hàng nhanh, đóng gói đẹp", "Chất lượng kém, không như mô tả"]) {
      await page.fill("[data-testid=predict-text]", text);
      // Each analysis is stored once its POST has been answered.
      await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && r.ok()), page.click("main button[type=submit]")]);
    }

    await page.goto(`${server.url}/history`);
    expect(await page.title()).toBe("Lịch sử phân tích · Cảm xúc");
    expect(await page.locator("[data-testid=history-item]").count()).toBe(2);
    expect(await page.locator("[data-testid=history-text]").first().textContent()).toBe("Chất lượng kém, không như mô tả");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(os.tmpdir(), "camxuc-history.png"), fullPage: true });

    await page.fill("#history-search", "giao hang");
    await page.click("form[role=search] button[type=submit]");
    await page.waitForURL(/q=giao\+hang/);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=history-item]").length === 1);
    expect(await page.textContent("[data-testid=history-text]")).toBe("Giao hàng nhanh, đóng gói đẹp");
    const filtered = await downloadCsv(page);
    expect(filtered.map((row) => row[1])).toEqual(["text", "Giao hàng nhanh, đóng gói đẹp"]);
    await page.click("[data-testid=history-item] summary");
    expect(await page.locator("[data-testid=history-item] [data-testid^=prob-]").count()).toBe(3);

    // Deleting asks first: declined, nothing happens; accepted, the result is gone.
    page.once("dialog", (dialog) => void dialog.dismiss());
    await page.click("[data-testid=history-item] button[type=submit]");
    await page.waitForLoadState("networkidle");
    expect(await page.locator("[data-testid=history-item]").count()).toBe(1);
    page.once("dialog", (dialog) => {
      expect(dialog.message()).toBe("Xoá kết quả này khỏi lịch sử? Không thể hoàn tác.");
      void dialog.accept();
    });
    await page.click("[data-testid=history-item] button[type=submit]");
    await page.waitForSelector("[data-testid=history-empty]");
    expect(await page.textContent("[data-testid=history-empty]")).toBe("Không có kết quả nào khớp.");
    await page.goto(`${server.url}/history`);
    expect(await page.locator("[data-testid=history-item]").count()).toBe(1);
    const remaining = await page.getAttribute("[data-testid=history-item]", "data-label");

    // The dashboard draws the same history: label share, days, and a word cloud whose words link back here.
    await page.goto(`${server.url}/dashboard`);
    expect(await page.textContent("[data-testid=dashboard-total]")).toBe("1 kết quả đã phân tích");
    for (const chart of ["chart-share", "chart-daily", `cloud-${remaining}`]) {
      await page.waitForSelector(`[data-testid=${chart}][data-state=ready] svg`);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(os.tmpdir(), "camxuc-dashboard.png"), fullPage: true });
    // The cloud lays its words out after the chart is ready: wait for all three.
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length >= 3, `[data-testid=cloud-${remaining}] svg text`);
    const words = await page.locator(`[data-testid=cloud-${remaining}] svg text`).allTextContents();
    expect(words).toEqual(expect.arrayContaining(["chất lượng", "kém", "mô tả"]));
    expect(words).not.toContain("không");
    // The cloud's words are also links (the list under it), which lead to the history searched for them.
    await page.click(`details:has([data-testid=words-${remaining}]) summary`);
    await page.click(`[data-testid=words-${remaining}] a:text-is("kém")`);
    await page.waitForURL(/\/history\?q=k%C3%A9m&label=/);
    await page.waitForSelector("[data-testid=history-item]");
    expect(await page.textContent("[data-testid=history-text]")).toBe("Chất lượng kém, không như mô tả");

    // Several texts at once, one per line; a bad line is named.
    await page.goto(server.url);
    await page.check("[data-testid=predict-by-line]");
    // What the server would refuse is said while typing, and the paste is not sent.
    await page.fill("[data-testid=predict-text]", `Tuyệt vời\n\n${"a".repeat(5001)}`);
    expect(await page.textContent("#predict-error")).toBe("Văn bản quá dài (tối đa 5000 ký tự) (dòng 3)");
    expect(await page.isDisabled("main button[type=submit]")).toBe(true);
    await page.fill("[data-testid=predict-text]", Array.from({ length: 101 }, (_, i) => `Dòng ${i + 1}`).join("\n"));
    expect(await page.textContent("#predict-error")).toBe("Quá nhiều văn bản trong một lần (tối đa 100)");
    expect(await page.isDisabled("main button[type=submit]")).toBe(true);
    // The action refuses the same paste, naming its line, when the page's check is skipped (its data, not the page,
    // which would show the page's own check again).
    const posted = await page.request.post(`${server.url}/?index&_data=routes%2F_index`, {
      multipart: { mode: "lines", text: `Tuyệt vời\n\n${"a".repeat(5001)}` }, headers: { origin: server.url },
    });
    expect(posted.status()).toBe(400);
    expect(await posted.json()).toMatchObject({ ok: false, error: { messageKey: "predict.textTooLong", params: { line: 3 } } });
    await page.fill("[data-testid=predict-text]", "Tuyệt vời, sẽ mua lại\n\n  Hàng giả, thất vọng  \n=1+1 bình thường");
    expect(await page.textContent("main form span.text-xs")).toBe("3/100 dòng");
    await page.click("main button[type=submit]");
    await page.waitForSelector("[data-testid=predict-results]");
    expect(await page.locator("[data-testid=predict-line] span.flex-1").allTextContents()).toEqual(["Tuyệt vời, sẽ mua lại", "Hàng giả, thất vọng", "=1+1 bình thường"]);
    await page.screenshot({ path: path.join(os.tmpdir(), "camxuc-lines.png"), fullPage: true });
    await page.goto(`${server.url}/history`);
    expect(await page.locator("[data-testid=history-item]").count()).toBe(3);
    await page.click("[data-testid=history-older]");
    await page.waitForURL(/cursor=/);
    expect(await page.locator("[data-testid=history-text]").allTextContents()).toEqual(["Chất lượng kém, không như mô tả"]);

    // The whole history as CSV: every row, probabilities per label, and no text turned into a formula.
    const all = await downloadCsv(page);
    expect(all[0]).toEqual(["created_at", "text", "label", "confidence", "p_negative", "p_neutral", "p_positive", "token_count", "windowed", "model_id", "model_version"]);
    expect(all.slice(1).map((row) => row[1]).sort()).toEqual(["'=1+1 bình thường", "Chất lượng kém, không như mô tả", "Hàng giả, thất vọng", "Tuyệt vời, sẽ mua lại"]);
    for (const row of all.slice(1)) expect(Number(row[4]) + Number(row[5]) + Number(row[6])).toBeCloseTo(1, 5);
    const refused = await page.request.get(`${server.url}/history.csv?q=${"a".repeat(201)}`);
    expect(refused.status()).toBe(400);
    expect(await refused.text()).toBe("search is too long: 201 characters, the limit is 200");
    await page.close();
  });

  it("analyses a text on a 360 px phone screen", async () => {
    const page = await newPage({ viewport: { width: 360, height: 740 }, isMobile: true });
    await page.goto(server.url);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.fill("[data-testid=predict-text]", "Sản phẩm rất tốt, giao hàng nhanh, cảm ơn shop");
    await page.click("main button[type=submit]");
    await page.waitForSelector("[data-testid=predict-result]");
    const label = await page.getAttribute("[data-testid=predict-label]", "data-label");
    expect(["negative", "neutral", "positive"]).toContain(label);
    expect(await page.locator("[data-testid^=prob-]").count()).toBe(3);
    // percents in Vietnamese notation (decimal comma), as rendered by the server and kept by hydration
    expect(await page.textContent(`[data-testid=prob-${label}] .tabular-nums`)).toMatch(/^\d{1,3},\d%$/);
    await page.screenshot({ path: path.join(os.tmpdir(), "camxuc-phone.png"), fullPage: true });

    expect(await page.isDisabled("[data-testid=predict-by-line]")).toBe(true);
    await page.fill("[data-testid=predict-text]", "   ");
    await page.click("main button[type=submit]");
    await page.waitForSelector("#predict-error");
    expect(await page.textContent("#predict-error")).toBe("Hãy nhập văn bản cần phân tích");

    await page.click("[data-testid=menu-toggle]");
    await page.waitForSelector("details[open] a[href='/login']");
    await page.close();
  });

  it("ran every page above under the Content-Security-Policy without a violation or a script error", () => {
    expect(pageProblems).toEqual([]);
  });
});
