// A real browser (Debian's chromium) on /settings (API tokens, password, deleting the account) and on /docs (Swagger UI's "Try it out").
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "../support/testServer.ts";
import { browserAndUiServer, submitCredentials } from "../support/chromium.ts";

describe("settings and API docs in a browser", () => {
  const setup = browserAndUiServer();
  let server: TestServer;
  let browser: Browser;

  const me = (token: string) => fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(() => ({ browser, server } = setup.get()));

  it("creates, copies and revokes an API token, changes the password (the other session ends) and deletes the account", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const page = await context.newPage();
    await page.goto(`${server.url}/register`);
    await submitCredentials(page, "cai-dat@example.com", "mật-khẩu-cũ-dài");
    await page.waitForSelector("[data-testid=predict-text]");

    await page.goto(`${server.url}/settings`);
    expect(await page.title()).toBe("Tài khoản và API token · Cảm xúc");
    await page.fill("#token-name", "Báo cáo hằng đêm");
    await page.selectOption("#token-expiry", "30");
    await page.click("[data-testid=create-token-form] button[type=submit]");
    await page.waitForSelector("[data-testid=created-token]");
    const token = await page.inputValue("[data-testid=created-token-value]");
    expect(token).toMatch(/^cxk_[A-Za-z0-9_-]{43}$/);
    await page.click("[data-testid=copy-token]");
    await page.waitForSelector("[data-testid=copy-token]:has-text('Đã chép')");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    expect((await me(token)).status).toBe(200);
    expect(await page.textContent("[data-testid=token-name]")).toBe("Báo cáo hằng đêm");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(os.tmpdir(), "camxuc-settings.png"), fullPage: true });

    // The secret is shown once: a reload lists the token without it.
    await page.reload();
    expect(await page.locator("[data-testid=created-token]").count()).toBe(0);
    expect(await page.content()).not.toContain(token);

    page.once("dialog", (dialog) => {
      expect(dialog.message()).toBe('Thu hồi token "Báo cáo hằng đêm"? Các script đang dùng nó sẽ ngừng chạy ngay.');
      void dialog.accept();
    });
    await page.click("[data-testid=revoke-token]");
    await page.waitForSelector("[data-testid=token-item][data-status=revoked]");
    expect((await me(token)).status).toBe(401);

    // A second browser signed in to the same account: changing the password here ends it there.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(`${server.url}/login`);
    await submitCredentials(otherPage, "cai-dat@example.com", "mật-khẩu-cũ-dài");
    await otherPage.waitForSelector("[data-testid=current-user]");

    await page.fill("#current-password", "không-phải-mật-khẩu");
    await page.fill("#new-password", "mật-khẩu-mới-dài");
    await page.click("[data-testid=password-form] button[type=submit]");
    await page.waitForSelector("[data-testid=changePassword-error]");
    expect(await page.textContent("[data-testid=changePassword-error]")).toBe("Mật khẩu không đúng");
    await page.fill("#current-password", "mật-khẩu-cũ-dài");
    await page.fill("#new-password", "mật-khẩu-mới-dài");
    await page.click("[data-testid=password-form] button[type=submit]");
    await page.waitForSelector("[data-testid=password-changed]");

    await otherPage.goto(`${server.url}/settings`);
    await otherPage.waitForURL(/\/login\?redirectTo=%2Fsettings/);
    await page.goto(`${server.url}/settings`);
    expect(new URL(page.url()).pathname).toBe("/settings");
    await other.close();

    page.once("dialog", (dialog) => {
      expect(dialog.message()).toBe("Xoá vĩnh viễn tài khoản cai-dat@example.com và mọi dữ liệu? Không thể hoàn tác.");
      void dialog.accept();
    });
    await page.fill("#delete-password", "mật-khẩu-mới-dài");
    await page.click("[data-testid=delete-form] button[type=submit]");
    await page.waitForURL(`${server.url}/`);
    await page.waitForLoadState("networkidle");
    expect(await page.locator("[data-testid=current-user]").count()).toBe(0);
    expect(await server.services.db.prisma.user.count({ where: { email: "cai-dat@example.com" } })).toBe(0);
    await context.close();
  });

  it("serves Swagger UI from our own files and executes a request with a token through Try it out", async () => {
    const register = await fetch(`${server.url}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "swagger@example.com", password: "mật-khẩu-dài-đủ" }),
    });
    const { token: loginToken } = (await register.json()) as { token: string };
    const created = await fetch(`${server.url}/api/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${loginToken}` },
      body: JSON.stringify({ name: "Swagger UI" }),
    });
    const { token } = (await created.json()) as { token: string };

    // Web pages refuse a bad bearer token as the API does (a browser never sends one; a script might).
    const page401 = await fetch(`${server.url}/history`, { headers: { authorization: "Bearer forged", accept: "application/json" } });
    expect(page401.status).toBe(401);
    expect(((await page401.json()) as any).error).toMatchObject({ code: "UNAUTHORIZED", messageKey: "auth.invalidToken" });

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const hosts = new Set<string>();
    page.on("request", (request) => hosts.add(new URL(request.url()).host));
    await page.goto(`${server.url}/docs`);
    await page.waitForSelector(".swagger-ui .info .title");
    expect(await page.textContent(".swagger-ui .info .title")).toContain("Cảm xúc API");
    expect(await page.textContent(".swagger-ui .info .description")).toContain("Tiếng Việt");
    expect([...hosts]).toEqual([new URL(server.url).host]);

    await page.click(".swagger-ui .auth-wrapper .authorize");
    await page.fill(".swagger-ui .modal-ux input[type=text]", token);
    await page.click(".swagger-ui .modal-ux .auth-btn-wrapper button[type=submit]");
    await page.click(".swagger-ui .modal-ux .btn-done");

    const operation = page.locator(".swagger-ui .opblock-post", { has: page.locator(".opblock-summary-path[data-path='/predict/single']") });
    await operation.locator(".opblock-summary").click();
    await operation.locator(".try-out__btn").click();
    expect(await operation.locator("textarea.body-param__text").inputValue()).toContain("Sản phẩm rất tốt, giao hàng nhanh");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/api/predict/single")),
      operation.locator(".execute").click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.request().headers().authorization).toBe(`Bearer ${token}`);
    const body = (await response.json()) as { label: string; stored: boolean };
    expect(body).toMatchObject({ label: "positive", stored: true });
    const status = operation.locator(".live-responses-table tbody .response-col_status").first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe("200");
    await page.close();
  });
});
