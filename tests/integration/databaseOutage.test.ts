// A PostgreSQL outage, made real with a TCP proxy the test closes: answers are 503 with Retry-After and a
// translated message (a page for a browser, JSON for the API) that shows nothing internal, the log gets one
// line for the outage and one for the recovery, and the same server works again once the database is back. A
// database that hangs (nothing answered, nothing closed) is an outage too, after the connect or query timeout. A
// query that runs too long (here: waiting on a lock) is stopped by PostgreSQL itself and is no outage.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../server/observability/logger.server.ts";
import { createScratchDatabase, startTestServer, trpcGet, trpcPost, type TestServer } from "../support/testServer.ts";
import { proxiedDatabase, type TcpProxy } from "../support/tcpProxy.ts";

const html = { accept: "text/html,application/xhtml+xml" };

describe.skipIf(!process.env.TEST_DATABASE_URL)("PostgreSQL outage", () => {
  let server: TestServer;
  let proxy: TcpProxy;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let bearer: Record<string, string>;
  let cookie: string;
  /** The server's error lines as its one logger writes them, less the access log's line per 5xx answer. */
  let errors: string[] = [];
  /** Its warnings. */
  let warnings: string[] = [];
  /** Its info lines, less the access log. */
  let infos: string[] = [];
  const logger = createLogger({
    level: "info",
    destination: {
      write: (line: string) => {
        const { msg, level } = JSON.parse(line) as { msg: string; level: string };
        if (msg === "request") return;
        if (level === "error") errors.push(msg);
        else if (level === "warn") warnings.push(msg);
        else if (level === "info") infos.push(msg);
      },
    },
  });

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    const proxied = await proxiedDatabase(scratch.url);
    proxy = proxied.proxy;
    server = await startTestServer("pglite", { DATABASE_URL: proxied.url, MODEL_ENABLED: "false", DATABASE_RETRY_AFTER_SECONDS: "2", DATABASE_CONNECT_TIMEOUT_SECONDS: "1", DATABASE_QUERY_TIMEOUT_SECONDS: "2" }, { withUi: true, logger });
    const reg = await trpcPost(server.url, "auth.register", { email: "outage@example.com", password: "outage-password-1" });
    bearer = { authorization: `Bearer ${reg.json.result.data.token}` };
    const login = await fetch(`${server.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url },
      body: new URLSearchParams({ email: "outage@example.com", password: "outage-password-1" }).toString(),
    });
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    expect(cookie).toMatch(/^camxuc_session=/);
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.down().catch(() => undefined);
    await scratch?.drop();
  });

  it("answers 503 with Retry-After and no internal text while the database is away, logging one line", async () => {
    expect((await trpcGet(server.url, "history.list", bearer)).status).toBe(200);
    errors = [];
    await proxy.down();
    const answers = [];
    for (let i = 0; i < 5; i++) {
      answers.push(await trpcGet(server.url, "history.list", bearer)); // the token is checked in the database first
      answers.push(await trpcPost(server.url, "auth.login", { email: "outage@example.com", password: "outage-password-1" }));
    }
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("2");
      expect(answer.json.error.data.messageKey).toBe("error.databaseUnavailable");
      const text = JSON.stringify(answer.json);
      expect(text).not.toContain(String(proxy.port));
      expect(text).not.toMatch(/prisma|127\.0\.0\.1|ECONN|stack/i);
    }
    const page = await fetch(`${server.url}/history`, { headers: { ...html, cookie } });
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("2");
    const body = await page.text();
    expect(body).toContain("Cơ sở dữ liệu tạm thời không truy cập được");
    expect(body).not.toContain(String(proxy.port));
    const lines = errors;
    expect(lines.filter((l) => /database unavailable/.test(l))).toHaveLength(1);
    expect(lines).toHaveLength(1);
  });

  it("works again without a restart once the database is back, logging the recovery once", async () => {
    await proxy.up();
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await trpcGet(server.url, "history.list", bearer)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    expect((await trpcPost(server.url, "auth.login", { email: "outage@example.com", password: "outage-password-1" })).status).toBe(200);
    expect((await fetch(`${server.url}/history`, { headers: { ...html, cookie } })).status).toBe(200);
    // good news at info level: it must not page whoever watches the error lines
    await vi.waitFor(() => expect(infos.filter((l) => /database available again/.test(l))).toHaveLength(1), { timeout: 10_000 });
    expect(errors.filter((l) => /database available again/.test(l))).toEqual([]);
  });

  it("has PostgreSQL stop a query that runs past DATABASE_QUERY_TIMEOUT_SECONDS: a 503 for that request only, no outage, nothing left running", async () => {
    expect((await trpcGet(server.url, "history.list", bearer)).status).toBe(200);
    errors = [];
    warnings = [];
    const locker = new pg.Client({ connectionString: scratch.url });
    await locker.connect();
    const waitingOnLocks = async () =>
      (await locker.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'")).rows[0].n as number;
    try {
      // an administrator's long transaction holds the history table: the request waits for it past its time
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE predictions IN ACCESS EXCLUSIVE MODE");
      const slow = trpcGet(server.url, "history.list", bearer);
      await new Promise((r) => setTimeout(r, 500));
      // meanwhile the database answers everything else: no outage
      expect((await trpcGet(server.url, "auth.me", bearer)).status).toBe(200);
      const answer = await slow;
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("2");
      expect(answer.json.error.data.messageKey).toBe("error.databaseBusy");
      expect(JSON.stringify(answer.json)).not.toMatch(/statement|57014|predictions|stack/i);
      // PostgreSQL cancelled the statement: it does not keep waiting (or running) after its request was answered (the
      // page's second query, run beside the first, may take a few more milliseconds to be cancelled)
      await expect.poll(waitingOnLocks, { timeout: 2_000 }).toBe(0);
      // a raw query (the dashboard's), whose error Prisma words differently
      const raw = await trpcGet(server.url, "insights.overview", bearer);
      expect([raw.status, raw.json.error?.data?.messageKey]).toEqual([503, "error.databaseBusy"]);
      // a person's page says so in Vietnamese
      const page = await fetch(`${server.url}/history`, { headers: { ...html, cookie } });
      expect(page.status).toBe(503);
      expect(await page.text()).toContain("Cơ sở dữ liệu trả lời quá lâu");
      await expect.poll(waitingOnLocks, { timeout: 2_000 }).toBe(0);
      expect((await trpcGet(server.url, "auth.me", bearer)).status).toBe(200);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
    expect((await trpcGet(server.url, "history.list", bearer)).status).toBe(200);
    expect(errors).toEqual([]);
    expect(warnings.filter((l) => /cancelled by statement_timeout/.test(l)).length).toBeGreaterThanOrEqual(3);
  });

  it("answers 503 within its timeouts, not a hung request, when the database stops answering without closing", async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, { headers, signal: AbortSignal.timeout(20_000) }).then((r) => r.status, (error: Error) => `no answer (${error.name})`);
    expect(await get("/api/trpc/history.list", bearer)).toBe(200);
    proxy.hang();
    let answers: (number | string)[];
    try {
      // one on a pooled connection that now hangs (query timeout), more than the pool holds (connect timeout), and readiness
      answers = await Promise.all([...Array.from({ length: 12 }, () => get("/api/trpc/history.list", bearer)), get("/readyz")]);
    } finally {
      proxy.resume();
    }
    expect(new Set(answers)).toEqual(new Set([503]));
    const deadline = Date.now() + 20_000;
    let status: number | string = 0;
    while (Date.now() < deadline && status !== 200) {
      status = await get("/api/trpc/history.list", bearer);
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
