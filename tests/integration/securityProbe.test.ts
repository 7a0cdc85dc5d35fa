// Issue 25 against the real server without the model: metrics labels an anonymous client cannot grow, weak
// passwords, the Authorization scheme and the Origin check, sign-out-everywhere from a token, the OpenAPI server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

const METRICS_TOKEN = "a-metrics-secret-of-32-characters";
let ipCounter = 0;
const freshIp = () => `198.51.100.${++ipCounter}`;

describe.each(DATABASES)("security probe on %s", (database) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(database, { MODEL_ENABLED: "false", TRUST_PROXY: "1", METRICS_TOKEN });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signUp(email: string, password = "a-fine-password-25"): Promise<string> {
    const answer = await trpcPost(server.url, "auth.register", { email, password }, { "x-forwarded-for": freshIp() });
    expect(answer.status).toBe(200);
    return answer.json.result.data.token as string;
  }

  it("keeps /metrics route labels to one per procedure whatever names an anonymous client joins", async () => {
    const names = ["auth.me", "history.list", "tokens.list", "batch.list", "predict.single", "account.setLanguage", "model.info", "history.stats"];
    for (let i = 0; i < 40; i++) {
      const picked = names.filter((_, k) => ((i + 1) >> k) & 1 || k === i % names.length);
      await fetch(`${server.url}/api/trpc/${picked.join(",")},made.up${i}?batch=1`);
    }
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const routes = new Set([...text.matchAll(/^camxuc_http_requests_total\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]));
    expect([...routes].filter((r) => r!.includes(","))).toEqual([]);
    expect(routes.has("other")).toBe(true);
    expect(routes.size).toBeLessThanOrEqual(names.length + 3);
  });

  it.each([
    ["eight spaces", "        "],
    ["eight tabs", "\t\t\t\t\t\t\t\t"],
    ["dots", "........"],
    ["exclamation marks", "!!!!!!!!"],
    ["one Vietnamese letter", "ơơơơơơơơ"],
  ])("refuses a password of %s with a message saying what is needed", async (_name, password) => {
    const answer = await trpcPost(server.url, "auth.register", { email: `weak-${Math.random()}@example.com`, password }, { "x-forwarded-for": freshIp() });
    expect(answer.status).toBe(400);
    expect(answer.json.error.data.messageKey ?? answer.json.error.message).toMatch(/passwordTooSimple|letter or digit/);
  });

  it("checks the Origin of a cookie-signed write even when another Authorization scheme is sent", async () => {
    const token = await signUp("cookie-basic@example.com");
    const headers = { "content-type": "application/json", cookie: `camxuc_session=${token}`, origin: "https://evil.example", authorization: "Basic dXNlcjpwYXNz" };
    const answer = await fetch(`${server.url}/api/account/language`, { method: "PUT", headers, body: JSON.stringify({ locale: "en" }) });
    expect(answer.status).toBe(403);
  });

  it("reads the Bearer scheme case-insensitively and refuses an unknown scheme with 401", async () => {
    const token = await signUp("scheme@example.com");
    const me = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as any).user.email).toBe("scheme@example.com");
    for (const header of [`Token ${token}`, "Basic dXNlcjpwYXNz"]) {
      const answer = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: header } });
      expect(answer.status).toBe(401);
      expect(((await answer.json()) as any).error.messageKey).toBe("auth.unsupportedScheme");
    }
  });

  it("asks an API token for the password before signing out everywhere", async () => {
    const login = await signUp("leaked-token@example.com", "the-owners-password-25");
    const created = await trpcPost(server.url, "tokens.create", { name: "script", expiresInDays: null }, { authorization: `Bearer ${login}` });
    const apiToken = created.json.result.data.token as string;
    const without = await fetch(`${server.url}/api/account/sign-out-everywhere`, { method: "POST", headers: { authorization: `Bearer ${apiToken}` } });
    expect(without.status).toBe(400);
    expect(((await without.json()) as any).error.messageKey).toBe("account.passwordRequired");
    expect((await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${login}` } })).status).toBe(200);
    const withPassword = await fetch(`${server.url}/api/account/sign-out-everywhere`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json", "x-forwarded-for": freshIp() },
      body: JSON.stringify({ password: "the-owners-password-25" }),
    });
    expect(withPassword.status).toBe(200);
    expect((await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${login}` } })).status).toBe(401);
  });

  it("limits the guesser, not the owner: wrong passwords from elsewhere do not lock the owner out", async () => {
    await signUp("owner@example.com", "the-owners-password-26");
    const login = (password: string, ip: string) => trpcPost(server.url, "auth.login", { email: "owner@example.com", password }, { "x-forwarded-for": ip });
    const home = freshIp();
    expect((await login("the-owners-password-26", home)).status).toBe(200);
    const guesser = freshIp();
    const guesses = [];
    for (let i = 0; i < 7; i++) guesses.push((await login(`wrong-guess-${i}`, guesser)).status);
    expect(guesses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // the owner, from a new address: the guesser's failures were counted against the guesser's address
    const fromElsewhere = await login("the-owners-password-26", freshIp());
    expect(fromElsewhere.json.error?.message ?? "ok").toBe("ok");
    // many addresses guessing: past the account-wide limit only the owner's known address is checked
    for (let i = 0; i < 50; i++) await login(`spread-guess-${i}`, `203.0.113.${i + 1}`);
    expect((await login("the-owners-password-26", freshIp())).status).toBe(429);
    expect((await login("the-owners-password-26", home)).status).toBe(200);
  });

  it("never echoes the Host header into the OpenAPI servers", async () => {
    const http = await import("node:http");
    const url = new URL(server.url);
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ host: url.hostname, port: url.port, path: "/api/openapi.json", headers: { host: "evil.example" } }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve(text));
      }).on("error", reject);
    });
    expect(body).not.toContain("evil.example");
    expect(JSON.parse(body).servers).toEqual([{ url: "/api" }]);
  });
});
