// Issue 14 against the real server (UI and API, no model): body limits on chunked bodies, limits counted
// before they are checked (parallel, batched), X-Forwarded-For behind one trusted hop, open redirects,
// NUL characters, the password policy, the Origin's scheme, security headers.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcGet, trpcPost, type TestServer } from "../support/testServer.ts";

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
let ipCounter = 0;
/** A fresh client address per test, as the one trusted proxy would report it (TRUST_PROXY=1). */
const freshIp = () => `198.51.100.${++ipCounter}`;

/** Streams `totalBytes` as a chunked body (no Content-Length); resolves with the status once the server answers. */
function postChunked(url: string, totalBytes: number): Promise<{ status: number; body: string; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    const req = http.request({
      host: target.hostname, port: target.port, path: target.pathname, method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "transfer-encoding": "chunked", origin: target.origin, accept: "text/html" },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, sentBytes: sent }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body, sentBytes: sent }));
    });
    req.on("error", (error) => (sent >= totalBytes ? undefined : reject(error)));
    const pump = () => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (sent === chunk.length) req.write("lang=en&redirectTo=");
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

describe.each(DATABASES)("hardening on %s", (database) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(database, { MODEL_ENABLED: "false", TRUST_PROXY: "1", TRPC_MAX_BATCH: "50" }, { withUi: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  const register = (email: string, password: string, ip = freshIp()) =>
    trpcPost(server.url, "auth.register", { email, password }, { "x-forwarded-for": ip });

  it("refuses a chunked 200 MB body to a Remix route with 413 while memory stays flat", async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    const answer = await postChunked(`${server.url}/language`, 200 * 1024 * 1024);
    const grown = process.memoryUsage().rss - before;
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("Dữ liệu gửi lên quá lớn");
    // the server stopped reading near the 2 MB limit: nothing like the 200 MB a whole-body read would hold
    expect(grown).toBeLessThan(100 * 1024 * 1024);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("refuses a chunked oversized JSON body to the API with 413 JSON", async () => {
    const res = await fetch(`${server.url}/api/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(100_000)));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { messageKey: "error.bodyTooLarge" } });
  });

  it("checks at most the per-account limit of 200 parallel wrong passwords", async () => {
    await register("victim@example.com", "the-right-password-1");
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => trpcPost(server.url, "auth.login", { email: "victim@example.com", password: `wrong-guess-${i}` }, { "x-forwarded-for": `203.0.113.${i % 250}` })),
    );
    const statuses = answers.map((a) => a.status);
    // 200 addresses, one guess each: the account-wide limit holds (the per-address one is for a single guesser)
    expect(statuses.filter((s) => s === 401)).toHaveLength(50); // LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_IPS
    expect(statuses.filter((s) => s === 429)).toHaveLength(150);
    const refused = answers.find((a) => a.status === 429)!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-limit")).toBe("50");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
  });

  it("counts 30 logins in one tRPC batch request as 30 attempts", async () => {
    await register("batched@example.com", "the-right-password-2");
    const procedures = Array(30).fill("auth.login").join(",");
    const body = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [String(i), { email: "batched@example.com", password: `guess-${i}-password` }]));
    const res = await fetch(`${server.url}/api/trpc/${procedures}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": freshIp() },
      body: JSON.stringify(body),
    });
    const results = (await res.json()) as Array<{ error?: { data: { httpStatus: number } } }>;
    const statuses = results.map((r) => r.error?.data.httpStatus);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
  });

  it("creates at most REGISTRATIONS_PER_IP_PER_HOUR accounts from 30 parallel sign-ups from one address", async () => {
    const ip = freshIp();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => register(`signup-${i}@example.com`, "a-fine-password-3", ip)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(20);
    expect(await server.services.db.prisma.user.count({ where: { email: { startsWith: "signup-" } } })).toBe(10);
  });

  it("creates at most REGISTRATIONS_PER_IP_PER_HOUR accounts from 30 sign-ups in one tRPC batch request", async () => {
    const procedures = Array(30).fill("auth.register").join(",");
    const body = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [String(i), { email: `batch-signup-${i}@example.com`, password: "a-fine-password-3" }]));
    const res = await fetch(`${server.url}/api/trpc/${procedures}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": freshIp() },
      body: JSON.stringify(body),
    });
    const results = (await res.json()) as Array<{ result?: unknown; error?: { data: { httpStatus: number } } }>;
    expect(results.filter((r) => r.result)).toHaveLength(10);
    expect(results.filter((r) => r.error?.data.httpStatus === 429)).toHaveLength(20);
    expect(await server.services.db.prisma.user.count({ where: { email: { startsWith: "batch-signup-" } } })).toBe(10);
  });

  it("counts sign-up answers that reveal an existing account against the sign-up limit", async () => {
    const ip = freshIp();
    await register("known@example.com", "a-fine-password-4");
    const probes = [];
    for (let i = 0; i < 12; i++) probes.push((await register("known@example.com", "a-fine-password-4", ip)).status);
    expect(probes.slice(0, 10)).toEqual(Array(10).fill(409));
    expect(probes.slice(10)).toEqual([429, 429]);
  });

  it("takes the address the trusted proxy saw, not the one the client wrote into X-Forwarded-For", async () => {
    await register("spoofed@example.com", "the-right-password-5");
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      // the client rotates the leftmost entry; the proxy appends the real address, 192.0.2.77
      const xff = `10.0.${i}.1, 192.0.2.77`;
      statuses.push((await trpcPost(server.url, "auth.login", { email: `nobody-${i}@example.com`, password: "wrong-password-x" }, { "x-forwarded-for": xff })).status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401)); // LOGIN_MAX_FAILURES_PER_IP
    expect(statuses.slice(20)).toEqual(Array(5).fill(429));
  });

  it.each([
    ["/\t/example.org/phish"],
    ["/\\example.org/phish"],
    ["/\\\\example.org"],
    ["/\n/example.org"],
    ["//example.org"],
    ["/.//example.org"],
    ["https://example.org/"],
  ])("never redirects off-site after login (redirectTo=%j)", async (redirectTo) => {
    const email = `redirect-${Math.random().toString(36).slice(2)}@example.com`;
    await register(email, "the-right-password-6");
    const res = await fetch(`${server.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, "x-forwarded-for": freshIp() },
      body: form({ email, password: "the-right-password-6", redirectTo }),
    });
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    expect(new URL(location, server.url).origin).toBe(server.url);
    expect(location).not.toMatch(/example\.org/);
  });

  it("keeps same-site paths with their query after login", async () => {
    await register("stay@example.com", "the-right-password-7");
    const res = await fetch(`${server.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, "x-forwarded-for": freshIp() },
      body: form({ email: "stay@example.com", password: "the-right-password-7", redirectTo: "/history?q=giao h%C3%A0ng" }),
    });
    expect(res.headers.get("location")).toBe("/history?q=giao%20h%C3%A0ng");
  });

  it("answers a language switch with a newline in redirectTo with a redirect home, not a 500", async () => {
    const res = await fetch(`${server.url}/language`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url },
      body: form({ lang: "en", redirectTo: "/\n/x" }),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/");
  });

  it("refuses NUL characters in e-mails, passwords and searches with 400 and a message", async () => {
    const reg = await register("nul\u0000@example.com", "a-fine-password-8");
    expect(reg.status).toBe(400);
    expect(reg.json.error.data.messageKey).toBe("error.nulCharacter");
    expect(reg.json.error.message).toMatch(/email: .*NUL character/);
    const login = await trpcPost(server.url, "auth.login", { email: "a@example.com", password: "pass\u0000word-long" }, { "x-forwarded-for": freshIp() });
    expect(login.status).toBe(400);
    const token = (await register("searcher@example.com", "a-fine-password-9")).json.result.data.token as string;
    const search = await trpcGet(server.url, "history.list", { authorization: `Bearer ${token}` }, { search: "giao\u0000hàng" });
    expect(search.status).toBe(400);
    expect(search.json.error.message).toMatch(/search: .*NUL/);
    expect(JSON.stringify(search.json)).not.toMatch(/prisma|invalid byte sequence/i);
  });

  it("refuses the most common passwords and the e-mail itself", async () => {
    for (const password of ["12345678", "password", "Password123", "anhyeuem", "qwertyuiop", "01011990"]) {
      const res = await register(`common-${password.toLowerCase()}@example.com`, password);
      expect(res.status, password).toBe(400);
      expect(res.json.error.data.messageKey).toBe("auth.passwordTooCommon");
    }
    const same = await register("Mai.Tran@example.com", "mai.tran@example.com");
    expect(same.status).toBe(400);
    expect(same.json.error.data.messageKey).toBe("auth.passwordIsEmail");
    expect(await server.services.db.prisma.user.count({ where: { email: { startsWith: "common-" } } })).toBe(0);
  });

  it("refuses a cookie write whose Origin has the right host but another scheme", async () => {
    const res = await fetch(`${server.url}/api/trpc/auth.logout`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "camxuc_session=abc", origin: server.url.replace("http://", "https://") },
      body: "{}",
    });
    expect(res.status).toBe(403);
  });

  it("sends a Content-Security-Policy with a per-response script nonce, frame-ancestors for Spaces, nosniff and a Referrer-Policy", async () => {
    const page = await fetch(`${server.url}/login`);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/frame-ancestors 'self' https:\/\/huggingface\.co https:\/\/\*\.hf\.space/);
    const nonce = csp.match(/script-src 'self' 'nonce-([^']+)'/)?.[1];
    expect(nonce).toBeTruthy();
    const html = await page.text();
    const inlineScripts = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
    expect(inlineScripts.length).toBeGreaterThan(0);
    for (const [, attributes] of inlineScripts) expect(attributes).toContain(`nonce="${nonce}"`);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(page.headers.get("x-frame-options")).toBeNull();
    const again = (await fetch(`${server.url}/login`)).headers.get("content-security-policy");
    expect(again).not.toBe(csp);
  });

  it("caps the procedures in one batch request at TRPC_MAX_BATCH", async () => {
    const procedures = Array(51).fill("auth.me").join(",");
    const res = await fetch(`${server.url}/api/trpc/${procedures}?batch=1&input=${encodeURIComponent("{}")}`);
    expect(res.status).toBe(400);
  });
});
