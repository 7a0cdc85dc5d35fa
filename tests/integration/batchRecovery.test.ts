// Batches survive a killed server: a worker process SIGKILLed mid-job and started again stores every row
// exactly once; two worker processes on one PostgreSQL share one file's chunks, again exactly once.
import { rmSync } from "node:fs";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createScratchDatabase, DATABASES, pgliteDataDir, trpcPost } from "../support/testServer.ts";
import { startChildServer, type ChildServer } from "../support/childServer.ts";
import { reviewCsv, uploadCsv, waitForBatch } from "../support/batchFiles.ts";

const ROWS = 1_200;
const QUEUE_ENV = { BATCH_CHUNK_ROWS: "50", BATCH_SUPERVISE_SECONDS: "1", BATCH_CHUNK_HEARTBEAT_SECONDS: "10", BATCH_WORKER_CONCURRENCY: "1" };

async function waitFor<T>(what: string, check: () => Promise<T | null>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every stored result of the batch, read over HTTP: each row number must appear once. */
async function storedRowNumbers(url: string, id: string, auth: Record<string, string>): Promise<number[]> {
  const rows = (await (await fetch(`${url}/api/batches/${id}/results.json`, { headers: auth })).json()) as { row: number }[];
  return rows.map((r) => r.row);
}

const children: ChildServer[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  for (const cleanup of cleanups) await cleanup();
});

async function databaseEnv(database: string): Promise<Record<string, string>> {
  if (database === "postgres") {
    const scratch = await createScratchDatabase();
    cleanups.push(() => scratch.drop());
    return { DATABASE_URL: scratch.url };
  }
  const dataDir = await pgliteDataDir();
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return { DATA_DIR: dataDir };
}

describe.each(DATABASES)("batch recovery on %s", (database) => {
  it("finishes a batch whose worker was SIGKILLed mid-job, every row stored exactly once", async () => {
    const env = { ...(await databaseEnv(database)), ...QUEUE_ENV };
    const first = await startChildServer(env);
    children.push(first);
    const token = (await trpcPost(first.url, "auth.register", { email: "kill@example.com", password: "kill-password" })).json.result.data.token;
    const auth = { authorization: `Bearer ${token}` };
    const upload = await uploadCsv(first.url, reviewCsv(ROWS), auth);
    expect(upload.status).toBe(202);
    const id = upload.json.id as string;
    const progressed = await waitFor("some rows processed", async () => {
      const body = (await (await fetch(`${first.url}/api/batches/${id}`, { headers: auth })).json()) as any;
      return body.processed > 0 ? body.processed : null;
    });
    first.child.kill("SIGKILL");
    await first.exited;
    expect(progressed).toBeLessThan(ROWS);

    const second = await startChildServer(env);
    children.push(second);
    const done = await waitForBatch(second.url, id, auth, 180_000);
    expect(done).toMatchObject({ status: "completed", total: ROWS, processed: ROWS });
    const rows = await storedRowNumbers(second.url, id, auth);
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows).size).toBe(ROWS);
    second.child.kill("SIGTERM");
    await second.exited;
  }, 600_000);
});

describe.runIf(DATABASES.includes("postgres"))("two worker processes on one PostgreSQL", () => {
  it("share one file's chunks and store every row exactly once", async () => {
    const env: Record<string, string> = { ...(await databaseEnv("postgres")), ...QUEUE_ENV };
    const [a, b] = await Promise.all([startChildServer(env), startChildServer(env)]);
    children.push(a!, b!);
    const token = (await trpcPost(a!.url, "auth.register", { email: "two@example.com", password: "two-password" })).json.result.data.token;
    const auth = { authorization: `Bearer ${token}` };
    const upload = await uploadCsv(a!.url, reviewCsv(ROWS), auth);
    const done = await waitForBatch(b!.url, upload.json.id, auth, 180_000);
    expect(done).toMatchObject({ status: "completed", total: ROWS, processed: ROWS });
    const rows = await storedRowNumbers(b!.url, upload.json.id, auth);
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows).size).toBe(ROWS);
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const workers = await client.query("SELECT DISTINCT done_by FROM batch_chunks WHERE batch_id = $1", [upload.json.id]);
    await client.end();
    expect(workers.rows.length).toBe(2);
    for (const c of [a!, b!]) {
      c.child.kill("SIGTERM");
      await c.exited;
    }
  }, 600_000);
});
