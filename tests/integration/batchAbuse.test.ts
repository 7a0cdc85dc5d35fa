// Issue 25 against the batch surface (real server, real model, real HTTP): abandoned and refused uploads
// store nothing, the active limit holds inside one tRPC batch, NUL bytes, whole-body limits on chunked
// uploads, malformed multipart, long file names, cancel with chunks in flight, progress streams at shutdown.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcGet, trpcPost, type TestServer } from "../support/testServer.ts";
import { reviewCsv, reviewTexts, uploadCsv, waitForBatch } from "../support/batchFiles.ts";
import { CHUNK_QUEUE } from "../../server/batches/batchQueue.server.ts";

const BATCH_MAX_BYTES = 3_000_000;
let userCounter = 0;

type RawAnswer = { status: number; body: string; sentBytes: number };

/** Sends `head`, then `filler` bytes in chunks (chunked encoding), then `tail`; resolves with the answer (or what was sent when the connection is cut). */
function postRaw(url: string, headers: Record<string, string>, parts: { head: string | Buffer; fillerBytes?: number; tail?: string | Buffer }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: "POST", headers });
    const chunk = Buffer.alloc(64 * 1024, "-");
    let sent = 0;
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, sentBytes: sent }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body, sentBytes: sent }));
    });
    // A server that stops reading may close the connection while we still send: what counts then is how much it took.
    req.on("error", (error) => (answered ? undefined : /EPIPE|ECONNRESET/.test(error.message) ? resolve({ status: 0, body: "", sentBytes: sent }) : reject(error)));
    req.write(parts.head);
    const total = parts.fillerBytes ?? 0;
    const pump = () => {
      while (sent < total && !answered) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end(parts.tail ?? "");
    };
    pump();
  });
}

const BOUNDARY = "----camxucProbe";
const part = (name: string, value: string, fileName?: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${fileName !== undefined ? `; filename="${fileName}"\r\nContent-Type: text/csv` : ""}\r\n\r\n${value}\r\n`;
const multipart = { "content-type": `multipart/form-data; boundary=${BOUNDARY}` };

describe.each(DATABASES)("batch abuse on %s", (database) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(database, {
      BATCH_MAX_BYTES: String(BATCH_MAX_BYTES), BATCH_CHUNK_ROWS: "250", BATCH_MAX_ACTIVE_TOTAL: "40", REGISTRATIONS_PER_IP_PER_HOUR: "100", SHUTDOWN_GRACE_SECONDS: "30",
    });
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  async function newUser(): Promise<Record<string, string>> {
    const answer = await trpcPost(server.url, "auth.register", { email: `abuse-${++userCounter}@example.com`, password: "a-fine-password-25" });
    return { authorization: `Bearer ${answer.json.result.data.token}` };
  }
  const batchesOf = async (user: Record<string, string>) => (await trpcGet(server.url, "batch.list", user)).json.result.data.items as any[];

  it("removes an upload whose connection closes, with its rows, so it never counts as active", async () => {
    const user = await newUser();
    const csv = reviewCsv(20_000);
    const target = new URL(`${server.url}/api/predict/batch`);
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { ...user, ...multipart, "transfer-encoding": "chunked" } });
    req.on("error", () => undefined);
    req.write(part("text_column", "review"));
    req.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`);
    req.write(csv.slice(0, 1_200_000));
    for (let i = 0; i < 200 && !(await batchesOf(user)).some((b) => b.status === "uploading"); i++) await new Promise((r) => setTimeout(r, 100));
    const uploading = await batchesOf(user);
    expect(uploading.map((b) => b.status)).toEqual(["uploading"]);
    req.destroy();
    let left = await batchesOf(user);
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await batchesOf(user);
    }
    expect(left).toEqual([]);
    expect(await server.services.db.prisma.batchRow.count({ where: { batchId: uploading[0].id } })).toBe(0);
  });

  it("holds the per-user active limit for ten batch.create calls in one request", async () => {
    const user = await newUser();
    const texts = reviewTexts(300);
    const input = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), { name: `parallel-${i}`, texts }]));
    const procedures = Array.from({ length: 10 }, () => "batch.create").join(",");
    const answer = await trpcPost(server.url, `${procedures}?batch=1`, input, user);
    const results = answer.json as any[];
    const created = results.filter((r) => r.result);
    expect(created).toHaveLength(2);
    expect(results.filter((r) => r.error?.data?.httpStatus === 429)).toHaveLength(8);
    expect(await batchesOf(user)).toHaveLength(2);
    for (const c of created) await waitForBatch(server.url, c.result.data.id, user);
  });

  it("reports a row with a NUL character as skipped and refuses NUL in export filters with 400", async () => {
    const user = await newUser();
    const lines = reviewCsv(200).split("\r\n");
    lines[120] = `120,"bad\u0000 row",3`;
    const upload = await uploadCsv(server.url, lines.join("\r\n"), user, { textColumn: "review" });
    expect(upload.status).toBe(202);
    const done = await waitForBatch(server.url, upload.json.id, user);
    expect(done.status).toBe("completed");
    expect(done.skippedRows).toEqual([expect.objectContaining({ row: 120, reason: "nulCharacter" })]);
    for (const format of ["csv", "json"]) {
      const answer = await fetch(`${server.url}/api/batches/${upload.json.id}/results.${format}?q=a%00b`, { headers: user });
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as any).error.messageKey).toBe("error.nulCharacter");
    }
  });

  it("refuses a chunked upload body with 413 as it crosses the limit, not after reading it all", async () => {
    const user = await newUser();
    // 413 as the limit is crossed, then the connection is closed: a client still sending may see only the close
    // the server's own count of 413 answers: the client may only have seen the connection close
    const answered413 = async () => {
      const metric = await server.services.metrics.registry.getSingleMetric("camxuc_http_requests_total")!.get();
      return metric.values.filter((v) => String(v.labels.status) === "413").reduce((sum, v) => sum + v.value, 0);
    };
    const before = await answered413();
    const upload = await postRaw(`${server.url}/api/predict/batch`, { ...user, ...multipart, "transfer-encoding": "chunked", accept: "application/json" }, { head: "preamble ", fillerBytes: 40 * BATCH_MAX_BYTES });
    expect([0, 413]).toContain(upload.status);
    expect(upload.sentBytes).toBeLessThan(10 * BATCH_MAX_BYTES);
    const preview = await postRaw(`${server.url}/api/predict/batch/preview`, { ...user, ...multipart, "transfer-encoding": "chunked", accept: "application/json" }, { head: part("x", "y"), fillerBytes: 40 * BATCH_MAX_BYTES });
    expect([0, 413]).toContain(preview.status);
    expect(preview.sentBytes).toBeLessThan(10 * BATCH_MAX_BYTES);
    expect(await answered413()).toBe(before + 2);
    expect(await batchesOf(user)).toEqual([]);
  });

  it("answers malformed multipart with 400 and a message, never 500", async () => {
    const user = await newUser();
    const csv = reviewCsv(20);
    const cases: [string, Record<string, string>, string][] = [
      ["no boundary", { "content-type": "multipart/form-data" }, "x"],
      ["a truncated body", multipart, part("text_column", "review") + `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n${csv.slice(0, 200)}`],
      ["gzip content encoding", { ...multipart, "content-encoding": "gzip" }, part("file", csv, "a.csv") + `--${BOUNDARY}--\r\n`],
      ["a 20,000-character file name", multipart, part("file", csv, `${"n".repeat(20_000)}.csv`) + `--${BOUNDARY}--\r\n`],
      ["a 10,000-character file name", multipart, part("file", csv, `${"đ".repeat(10_000)}.csv`) + `--${BOUNDARY}--\r\n`],
    ];
    for (const [name, headers, body] of cases) {
      const answer = await postRaw(`${server.url}/api/predict/batch`, { ...user, ...headers, "content-length": String(Buffer.byteLength(body)) }, { head: body });
      expect({ name, status: answer.status }).toEqual({ name, status: 400 });
      expect(JSON.parse(answer.body).error.message.length).toBeGreaterThan(10);
    }
    expect(await batchesOf(user)).toEqual([]);
  });

  it("stores nothing for an upload refused because text_column came after the file", async () => {
    const user = await newUser();
    const form = new FormData();
    form.append("file", new Blob([reviewCsv(2_000)], { type: "text/csv" }), "late.csv");
    form.append("text_column", "review");
    const answer = await fetch(`${server.url}/api/predict/batch`, { method: "POST", body: form, headers: user });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as any).error.messageKey).toBe("batch.fieldOrder");
    // a second, correct upload of the same user is stored after anything the first could have left
    const good = await uploadCsv(server.url, reviewCsv(10), user, { textColumn: "review" });
    expect(good.status).toBe(202);
    await waitForBatch(server.url, good.json.id, user);
    expect((await batchesOf(user)).map((b) => b.id)).toEqual([good.json.id]);
  });

  it("stores no more rows once a cancel is answered", async () => {
    const user = await newUser();
    const upload = await uploadCsv(server.url, reviewCsv(4_000), user, { textColumn: "review" });
    expect(upload.status).toBe(202);
    const id = upload.json.id as string;
    let started = 0;
    for (let i = 0; i < 600 && started === 0; i++) {
      started = (await trpcGet(server.url, "batch.get", user, { id })).json.result.data.processed as number;
      if (started === 0) await new Promise((r) => setTimeout(r, 100));
    }
    // cancelled mid-run, or the test says nothing about chunks in flight
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(4_000);
    expect((await trpcPost(server.url, "batch.cancel", { id }, user)).status).toBe(200);
    const atCancel = (await trpcGet(server.url, "batch.get", user, { id })).json.result.data.processed as number;
    // the chunks that were being classified finish (two workers, 250 rows each) and must store nothing: wait until
    // pg-boss holds no chunk of this batch waiting or running (its job table: pg-boss's own schema, read here only), then look
    const unsettledChunks = async () =>
      Number((await server.services.db.prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM pgboss.job WHERE name = ${CHUNK_QUEUE} AND data->>'batchId' = ${id} AND state IN ('created', 'retry', 'active')`)[0]!.n);
    for (const until = Date.now() + 60_000; (await unsettledChunks()) > 0; await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > until) throw new Error("the batch's chunks were still queued or running a minute after the cancel");
    }
    const after = (await trpcGet(server.url, "batch.get", user, { id })).json.result.data;
    expect(after.status).toBe("cancelled");
    expect(after.processed).toBe(atCancel);
    // the rows it did analyse still get their aspect chart
    expect(after.aspects.length).toBeGreaterThan(0);
    expect(await server.services.db.prisma.prediction.count({ where: { batchId: id } })).toBe(atCancel);
  });

  it("ends open progress streams first when the server stops", async () => {
    const user = await newUser();
    const upload = await uploadCsv(server.url, reviewCsv(20_000), user, { textColumn: "review" });
    expect(upload.status).toBe(202);
    const events = await fetch(`${server.url}/api/batches/${upload.json.id}/events`, { headers: user });
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: progress");
    const stopped = server.stop();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: closing");
    expect(text).toMatch(/retry: \d+/);
    await stopped;
  });
});
