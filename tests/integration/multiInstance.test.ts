// Two full instances on one PostgreSQL behind a real nginx (round robin): sign-in, tokens and rate limits hold
// on both, an upload accepted by one is processed by all, and when one is SIGKILLed mid-batch every row is
// still stored exactly once and the progress stream, read through the proxy, reaches 100 %.
import { afterAll, describe, expect, it } from "vitest";
import { createScratchDatabase, DATABASES } from "../support/testServer.ts";
import { startChildServer, type ChildServer } from "../support/childServer.ts";
import { startNginx, type NginxProxy } from "../support/nginxProxy.ts";
import { reviewCsv, uploadCsv } from "../support/batchFiles.ts";

const ROWS = 1_500;
const PASSWORD = "multi-instance-password";
const ENV = {
  TRUST_PROXY: "1",
  BATCH_CHUNK_ROWS: "50",
  BATCH_SUPERVISE_SECONDS: "1",
  BATCH_CHUNK_HEARTBEAT_SECONDS: "10",
  BATCH_WORKER_CONCURRENCY: "1",
  LOGIN_MAX_FAILURES_PER_ACCOUNT: "3",
  INFERENCE_WORKERS: "1",
  INFERENCE_THREADS: "1",
};

type Progress = { status: string; total: number; processed: number };

/**
 * Reads the batch's progress stream through the proxy as a browser's EventSource would: when a stream ends
 * before the batch does (its instance was killed), it connects again. Resolves with every event read.
 */
async function followProgress(url: string, id: string, auth: Record<string, string>, timeoutMs: number): Promise<{ events: Progress[]; connections: number }> {
  const events: Progress[] = [];
  const deadline = Date.now() + timeoutMs;
  for (let connections = 1; ; connections++) {
    try {
      const response = await fetch(`${url}/api/batches/${id}/events`, { headers: { ...auth, accept: "text/event-stream" }, signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const decoder = new TextDecoder();
      let buffer = "";
      const reader = response.body!.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        buffer += decoder.decode(read.value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split("\n").find((l) => l.startsWith("data: "));
          if (message.startsWith("event: progress") && data) events.push(JSON.parse(data.slice(6)) as Progress);
        }
      }
    } catch (error) {
      // the instance serving the stream died mid-stream: reconnect, as EventSource does
      if (Date.now() > deadline) throw error;
    }
    const last = events.at(-1);
    if (last && !["uploading", "queued", "running"].includes(last.status)) return { events, connections };
    if (Date.now() > deadline) throw new Error(`progress stream never reached the end: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const children: ChildServer[] = [];
let proxy: NginxProxy | null = null;
const dropDatabases: (() => Promise<void>)[] = [];
afterAll(async () => {
  await proxy?.stop();
  for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  for (const drop of dropDatabases) await drop();
});

describe.runIf(DATABASES.includes("postgres"))("two instances on one PostgreSQL behind nginx", () => {
  it("share sessions, limits and a batch; one SIGKILLed mid-batch loses no row and duplicates none", async () => {
    const scratch = await createScratchDatabase();
    dropDatabases.push(scratch.drop);
    // started together on an empty database: the migrations' advisory lock applies each migration once
    const instances = await Promise.all([startChildServer({ ...ENV, DATABASE_URL: scratch.url }), startChildServer({ ...ENV, DATABASE_URL: scratch.url })]);
    children.push(...instances);
    proxy = await startNginx(instances.map((i) => i.url));
    const api = (path: string, init: RequestInit = {}) => fetch(`${proxy!.url}/api${path}`, init);
    const json = { "content-type": "application/json" };

    // sign up and sign in through the proxy; the token works on both instances (round robin alternates them)
    expect((await api("/auth/register", { method: "POST", headers: json, body: JSON.stringify({ email: "team@example.com", password: PASSWORD }) })).status).toBe(200);
    const login = await api("/auth/login", { method: "POST", headers: json, body: JSON.stringify({ email: "team@example.com", password: PASSWORD }) });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
    for (let i = 0; i < 4; i++) expect((await api("/auth/me", { headers: auth })).status).toBe(200);

    // failed logins of one account are counted in PostgreSQL, not per instance: the 4th is refused whichever instance gets it
    await api("/auth/register", { method: "POST", headers: json, body: JSON.stringify({ email: "target@example.com", password: PASSWORD }) });
    const wrong = () => api("/auth/login", { method: "POST", headers: json, body: JSON.stringify({ email: "target@example.com", password: "not-the-password" }) });
    expect([(await wrong()).status, (await wrong()).status, (await wrong()).status, (await wrong()).status]).toEqual([401, 401, 401, 429]);

    const upload = await uploadCsv(proxy.url, reviewCsv(ROWS), auth);
    expect(upload.status).toBe(202);
    const id = upload.json.id as string;
    const progress = followProgress(proxy.url, id, auth, 400_000);

    // kill one instance as soon as the batch is under way
    for (const until = Date.now() + 240_000; ; await new Promise((r) => setTimeout(r, 100))) {
      const body = (await (await api(`/batches/${id}`, { headers: auth })).json()) as Progress;
      if (body.processed > 0) {
        expect(body.processed).toBeLessThan(ROWS);
        break;
      }
      if (Date.now() > until) throw new Error(`the batch never started: ${JSON.stringify(body)}`);
    }
    instances[0]!.child.kill("SIGKILL");
    await instances[0]!.exited;

    const { events } = await progress;
    const last = events.at(-1)!;
    expect(last).toMatchObject({ status: "completed", total: ROWS, processed: ROWS });
    expect(Math.round((100 * last.processed) / last.total)).toBe(100);
    // progress never went backwards, whichever instance served it
    const processed = events.map((e) => e.processed);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));

    const rows = (await (await api(`/batches/${id}/results.json`, { headers: auth })).json()) as { row: number }[];
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows.map((r) => r.row)).size).toBe(ROWS);
  }, 600_000);
});

describe.runIf(DATABASES.includes("postgres"))("an instance killed while it receives an upload", () => {
  it("leaves a batch that another instance deletes after BATCH_ABANDONED_UPLOAD_MINUTES, freeing its owner's active slot", async () => {
    const scratch = await createScratchDatabase();
    dropDatabases.push(scratch.drop);
    const env = { DATABASE_URL: scratch.url, BATCH_ABANDONED_UPLOAD_MINUTES: "0.25", BATCH_MAX_ACTIVE_PER_USER: "1", INFERENCE_WORKERS: "1", INFERENCE_THREADS: "1" };
    const [receiver, survivor] = await Promise.all([startChildServer(env), startChildServer(env)]);
    children.push(receiver!, survivor!);
    const json = { "content-type": "application/json" };
    const register = await fetch(`${survivor!.url}/api/auth/register`, { method: "POST", headers: json, body: JSON.stringify({ email: "slow@example.com", password: PASSWORD }) });
    const auth = { authorization: `Bearer ${((await register.json()) as { token: string }).token}` };

    // a multipart upload whose file never ends: the receiver stores its first rows, then waits for more
    const boundary = "camxuc-slow-upload";
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="slow.csv"\r\ncontent-type: text/csv\r\n\r\n`;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(head + reviewCsv(1_200)));
      },
    });
    const upload = fetch(`${receiver!.url}/api/predict/batch`, { method: "POST", headers: { ...auth, "content-type": `multipart/form-data; boundary=${boundary}` }, body, duplex: "half" } as RequestInit).catch((error: unknown) => error);
    const listed = async () => ((await (await fetch(`${survivor!.url}/api/batches`, { headers: auth })).json()) as { items: { id: string; status: string }[] }).items;
    for (const until = Date.now() + 120_000; !(await listed()).some((b) => b.status === "uploading"); await new Promise((r) => setTimeout(r, 200))) {
      if (Date.now() > until) throw new Error("the upload never started");
    }
    receiver!.child.kill("SIGKILL");
    await receiver!.exited;
    await upload;
    // while the dead upload counts, the owner's one active slot is taken
    expect((await uploadCsv(survivor!.url, reviewCsv(10), auth)).status).toBe(429);
    for (const until = Date.now() + 240_000; (await listed()).length > 0; await new Promise((r) => setTimeout(r, 1_000))) {
      if (Date.now() > until) throw new Error(`the abandoned upload was never deleted: ${JSON.stringify(await listed())}`);
    }
    expect((await uploadCsv(survivor!.url, reviewCsv(10), auth)).status).toBe(202);
    survivor!.child.kill("SIGTERM");
    await survivor!.exited;
  }, 540_000);
});
