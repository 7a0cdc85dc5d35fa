// Issue 25 items 4 and 15: a PostgreSQL outage (a TCP proxy the test closes) during an upload answers 503
// with Retry-After and leaves no half-stored batch once the database is back; a progress stream reports the
// outage and carries on instead of saying the batch was deleted.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviewCsv, uploadCsv } from "../support/batchFiles.ts";
import { proxiedDatabase, type TcpProxy } from "../support/tcpProxy.ts";
import { createScratchDatabase, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

describe.skipIf(!process.env.TEST_DATABASE_URL)("batches through a PostgreSQL outage", () => {
  let server: TestServer;
  let proxy: TcpProxy;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let direct: pg.Client;
  let user: Record<string, string>;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    const proxied = await proxiedDatabase(scratch.url);
    proxy = proxied.proxy;
    // no worker: batches stay queued, so the progress stream stays open
    server = await startTestServer("pglite", { DATABASE_URL: proxied.url, DATABASE_RETRY_AFTER_SECONDS: "1", BATCH_WORKER_ENABLED: "false", BATCH_MAX_BYTES: "30000000" });
    direct = new pg.Client({ connectionString: scratch.url });
    await direct.connect();
    const reg = await trpcPost(server.url, "auth.register", { email: "outage-batch@example.com", password: "a-fine-password-25" });
    user = { authorization: `Bearer ${reg.json.result.data.token}` };
  }, 300_000);
  afterAll(async () => {
    await direct?.end();
    await server?.close();
    await proxy?.down().catch(() => undefined);
    await scratch?.drop();
  });

  const batchCount = async () => Number((await direct.query(`SELECT count(*) FROM batches`)).rows[0].count);
  const rowCount = async () => Number((await direct.query(`SELECT count(*) FROM batch_rows`)).rows[0].count);

  it("answers an upload cut by the outage with 503 and Retry-After, and leaves nothing behind", async () => {
    const answer = uploadCsv(server.url, reviewCsv(150_000), user, { textColumn: "review" });
    for (let i = 0; i < 600 && (await rowCount()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await rowCount()).toBeGreaterThan(0);
    await proxy.down();
    let refused: Awaited<typeof answer>;
    try {
      refused = await answer;
    } finally {
      // back up whatever the answer was, so a failure here is not also the next test's
      await proxy.up();
    }
    expect(refused.status).toBe(503);
    expect(refused.json.error.messageKey).toBe("error.databaseUnavailable");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    for (let i = 0; i < 200 && (await batchCount()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await batchCount()).toBe(0);
    expect(await rowCount()).toBe(0);
  });

  it("reports the outage on a progress stream and goes on once the database is back", async () => {
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${server.url}/readyz`)).status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const upload = await uploadCsv(server.url, reviewCsv(50), user, { textColumn: "review" });
    expect(upload.status).toBe(202);
    const events = await fetch(`${server.url}/api/batches/${upload.json.id}/events`, { headers: user });
    const reader = events.body!.getReader();
    let text = "";
    const readUntil = async (needle: string, from: number) => {
      while (!text.slice(from).includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      return text.slice(from).includes(needle);
    };
    expect(await readUntil("event: progress", 0)).toBe(true);
    await proxy.down();
    const downAt = text.length;
    expect(await readUntil("event: unavailable", downAt)).toBe(true);
    expect(text.slice(downAt)).not.toContain("event: deleted");
    await proxy.up();
    const upAt = text.length;
    expect(await readUntil("event: progress", upAt)).toBe(true);
    await reader.cancel();
  });
});
