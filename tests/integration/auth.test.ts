// Accounts over real HTTP against the real databases: register, log in, bearer tokens, logout, bad input.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcGet, trpcPost, type TestServer } from "../support/testServer.ts";

describe.each(DATABASES)("accounts on %s", (database) => {
  let server: TestServer;
  const userCount = () => server.services.db.prisma.user.count();

  beforeAll(async () => {
    server = await startTestServer(database, { MODEL_ENABLED: "false", LOGIN_MAX_FAILURES_PER_ACCOUNT: "3" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("registers with a normalised email and returns a bearer token that reads the current user", async () => {
    const reg = await trpcPost(server.url, "auth.register", { email: "  Lan.Nguyen@Example.COM ", password: "mật-khẩu-dài" });
    expect(reg.status).toBe(200);
    expect(reg.json.result.data.user.email).toBe("lan.nguyen@example.com");
    const token = reg.json.result.data.token as string;
    const me = await trpcGet(server.url, "auth.me", { authorization: `Bearer ${token}` });
    expect(me.json.result.data.user.email).toBe("lan.nguyen@example.com");
    expect(me.json.result.data.authMethod).toBe("bearer");
  });

  it("rejects a duplicate email (any case) with 409 and writes nothing", async () => {
    const before = await userCount();
    const dup = await trpcPost(server.url, "auth.register", { email: "LAN.NGUYEN@example.com", password: "another-password" });
    expect(dup.status).toBe(409);
    expect(dup.json.error.message).toMatch(/already exists/);
    expect(dup.json.error.data.field).toBe("email");
    expect(await userCount()).toBe(before);
  });

  it.each([
    [{ email: "not-an-email", password: "long-enough-1" }, 400, /valid email/i],
    [{ email: "", password: "long-enough-1" }, 400, /email/i],
    [{ email: "short@example.com", password: "1234567" }, 400, /at least 8 characters/],
    [{ email: "nopass@example.com" }, 400, /password is required/i],
    [{ email: 42, password: "long-enough-1" }, 400, /email must be text/i],
  ])("rejects bad registration %j", async (body, status, message) => {
    const before = await userCount();
    const res = await trpcPost(server.url, "auth.register", body);
    expect(res.status).toBe(status);
    expect(res.json.error.message).toMatch(message);
    expect(await userCount()).toBe(before);
  });

  it("rejects malformed JSON with 400", async () => {
    const res = await trpcPost(server.url, "auth.register", "{not json");
    expect(res.status).toBe(400);
  });

  it("rejects an oversized body with 413 and writes nothing", async () => {
    const before = await userCount();
    const res = await fetch(`${server.url}/api/trpc/auth.register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "big@example.com", password: "x".repeat(3_000_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { messageKey: "error.bodyTooLarge" } });
    expect(await userCount()).toBe(before);
  });

  it("answers an oversized form post from a browser with a page that says what happened", async () => {
    const res = await fetch(`${server.url}/?index`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
      body: `text=${"a".repeat(3_000_000)}`,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain("Dữ liệu gửi lên quá lớn");
    expect(page).toContain("Bạn đã gửi 3,0 MB; máy chủ nhận tối đa 2,0 MB mỗi lần");
    expect(page).toContain("You sent 3.0 MB; the server takes at most 2.0 MB at a time.");
  });

  it("stores only a hash of each session secret", async () => {
    const login = await trpcPost(server.url, "auth.login", { email: "lan.nguyen@example.com", password: "mật-khẩu-dài" });
    const token = login.json.result.data.token as string;
    const rows = await server.services.db.prisma.session.findMany();
    expect(rows.some((r) => r.id === token)).toBe(false);
    expect(rows.some((r) => r.id === createHash("sha256").update(token).digest("hex"))).toBe(true);
    const user = await server.services.db.prisma.user.findUniqueOrThrow({ where: { email: "lan.nguyen@example.com" } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("gives one generic message for a wrong password and for an unknown account", async () => {
    const wrong = await trpcPost(server.url, "auth.login", { email: "lan.nguyen@example.com", password: "wrong-password" });
    const unknown = await trpcPost(server.url, "auth.login", { email: "nobody@example.com", password: "wrong-password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.error.message).toBe(unknown.json.error.message);
  });

  it("rate-limits failed logins per account, even with the right password afterwards", async () => {
    await trpcPost(server.url, "auth.register", { email: "target@example.com", password: "correct-horse" });
    for (let i = 0; i < 3; i++) {
      expect((await trpcPost(server.url, "auth.login", { email: "target@example.com", password: `bad-${i}-password` })).status).toBe(401);
    }
    const blocked = await trpcPost(server.url, "auth.login", { email: "target@example.com", password: "correct-horse" });
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.message).toMatch(/Too many failed logins/);
  });

  it("revokes a token on logout", async () => {
    const login = await trpcPost(server.url, "auth.login", { email: "lan.nguyen@example.com", password: "mật-khẩu-dài" });
    const auth = { authorization: `Bearer ${login.json.result.data.token}` };
    expect((await trpcPost(server.url, "auth.logout", {}, auth)).status).toBe(200);
    // A revoked token is refused, not treated as anonymous.
    const me = await trpcGet(server.url, "auth.me", auth);
    expect(me.status).toBe(401);
    expect(me.json.error.data.messageKey).toBe("auth.invalidToken");
    expect((await trpcPost(server.url, "auth.logout", {}, auth)).status).toBe(401);
  });

  it("refuses expired and forged tokens", async () => {
    const login = await trpcPost(server.url, "auth.login", { email: "lan.nguyen@example.com", password: "mật-khẩu-dài" });
    const token = login.json.result.data.token as string;
    await server.services.db.prisma.session.update({
      where: { id: createHash("sha256").update(token).digest("hex") },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await trpcPost(server.url, "auth.logout", {}, { authorization: `Bearer ${token}` })).status).toBe(401);
    const forged = `${token.slice(0, -2)}xx`;
    expect((await trpcPost(server.url, "auth.logout", {}, { authorization: `Bearer ${forged}` })).status).toBe(401);
    expect((await trpcPost(server.url, "auth.logout", {}, { authorization: "Bearer garbage" })).status).toBe(401);
  });

  it("sweeps expired sessions and keeps live ones", async () => {
    const live = await trpcPost(server.url, "auth.login", { email: "lan.nguyen@example.com", password: "mật-khẩu-dài" });
    const liveId = createHash("sha256").update(live.json.result.data.token).digest("hex");
    await server.services.db.prisma.session.updateMany({ where: { id: { not: liveId } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await server.services.auth.deleteExpiredSessions();
    expect((await server.services.db.prisma.session.findMany()).map((r) => r.id)).toEqual([liveId]);
  });

  it("treats a garbage session cookie as logged out and clears it", async () => {
    const res = await fetch(`${server.url}/api/trpc/auth.me`, { headers: { cookie: "camxuc_session=%%%garbage%%%" } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.data.messageKey).toBe("auth.loginRequired");
    expect(res.headers.get("set-cookie")).toMatch(/camxuc_session=;.*Max-Age=0/);
  });

  it("refuses cookie-authenticated writes from another origin", async () => {
    const res = await fetch(`${server.url}/api/trpc/auth.logout`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "camxuc_session=abc", origin: "https://evil.example" },
      body: "{}",
    });
    expect(res.status).toBe(403);
    const missing = await fetch(`${server.url}/api/trpc/auth.logout`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "camxuc_session=abc" },
      body: "{}",
    });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as any).error.messageKey).toBe("error.badOrigin");
  });

  it("answers a refused cross-site form post from a browser with a readable page, not JSON", async () => {
    const res = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html,application/xhtml+xml,*/*;q=0.8", origin: "https://evil.example" },
      body: "email=a%40example.com&password=whatever-123",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain("Yêu cầu từ trang khác bị từ chối");
    expect(page).toContain("Cross-site request refused");
  });

  it("answers the health probes", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ database: true });
  });
});

describe("registration limit", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("pglite", { MODEL_ENABLED: "false", REGISTRATIONS_PER_IP_PER_HOUR: "3", TRUST_PROXY: "1" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("refuses a fourth sign-up (the duplicate counts) from one address with 429, writes nothing, and leaves other addresses alone", async () => {
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    const register = (email: string, ip: string) => trpcPost(server.url, "auth.register", { email, password: "long-enough-1" }, from(ip));
    expect((await register("a1@example.com", "203.0.113.7")).status).toBe(200);
    // A refused duplicate tells whether the address has an account, so it counts too.
    expect((await register("a1@example.com", "203.0.113.7")).status).toBe(409);
    expect((await register("a2@example.com", "203.0.113.7")).status).toBe(200);
    const blocked = await register("a3@example.com", "203.0.113.7");
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.message).toMatch(/Too many new accounts from your network \(IP address\); try again in 60 minute/);
    expect(await server.services.db.prisma.user.count({ where: { email: "a3@example.com" } })).toBe(0);
    expect((await register("b1@example.com", "198.51.100.4")).status).toBe(200);
    // Existing accounts still log in from the blocked address.
    expect((await trpcPost(server.url, "auth.login", { email: "a1@example.com", password: "long-enough-1" }, from("203.0.113.7"))).status).toBe(200);
  });
});
