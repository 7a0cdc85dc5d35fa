// The browser's cookie session through the Remix pages: cookie attributes, sliding expiry, Origin checks.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe("cookie sessions", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("pglite", { MODEL_ENABLED: "false" }, { withUi: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function register(email: string): Promise<string> {
    const res = await fetch(`${server.url}/register`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url },
      body: form({ email, password: "cookie-password", redirectTo: "/dashboard" }),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard");
    return res.headers.get("set-cookie") ?? "";
  }

  it("sets an HttpOnly, SameSite=Lax session cookie that holds no database key", async () => {
    const cookie = await register("cookie@example.com");
    expect(cookie).toMatch(/^camxuc_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=86\d{3}; Expires=/);
    expect(cookie).not.toMatch(/Secure/); // plain http outside production
    const token = cookie.split(";")[0]!.split("=")[1]!;
    const stored = await server.services.db.prisma.session.findMany({ where: { user: { email: "cookie@example.com" } } });
    expect(stored.map((s) => s.id)).toEqual([createHash("sha256").update(token).digest("hex")]);
    expect(stored[0]!.kind).toBe("cookie");
  });

  it("renews the session (sliding expiry) once half of its lifetime has passed", async () => {
    const cookie = (await register("sliding@example.com")).split(";")[0]!;
    const id = createHash("sha256").update(cookie.split("=")[1]!).digest("hex");
    await server.services.db.prisma.session.update({ where: { id }, data: { expiresAt: new Date(Date.now() + 3600_000) } });
    const res = await fetch(`${server.url}/dashboard`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/camxuc_session=.*Max-Age=86\d{3}/);
    const renewed = await server.services.db.prisma.session.findUniqueOrThrow({ where: { id } });
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
  });

  it("sends visitors without a session to the login page, and back afterwards", async () => {
    const res = await fetch(`${server.url}/history`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fhistory");
    const noAuth = await trpcPost(server.url, "auth.logout", {});
    expect(noAuth.status).toBe(401);
    expect(noAuth.json.error.message).toBe("Log in to do this");
  });

  it("refuses a login form posted from another site", async () => {
    const res = await fetch(`${server.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: form({ email: "cookie@example.com", password: "cookie-password" }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("logs out from the web UI: the session row is gone and the cookie cleared", async () => {
    const cookie = (await register("bye@example.com")).split(";")[0]!;
    const res = await fetch(`${server.url}/logout`, { method: "POST", redirect: "manual", headers: { cookie, origin: server.url } });
    expect(res.status).toBe(302);
    expect(res.headers.get("set-cookie")).toMatch(/camxuc_session=;.*Max-Age=0/);
    expect(await server.services.db.prisma.session.count({ where: { user: { email: "bye@example.com" } } })).toBe(0);
  });
});
