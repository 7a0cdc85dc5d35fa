// Batch benchmark (npm run bench -- --batch [--rows N]): a CSV of N reviews (default 100,000) from the shared
// train files, uploaded through POST /api/predict/batch to a separate server process; reports rows/s end to
// end (upload start to completed), the server's peak RSS, and predict.single p50/p95 idle and during the batch.
// BENCH_DATABASE_URL runs it on PostgreSQL (in a scratch database created there and dropped after); otherwise a
// fresh embedded database. --split (PostgreSQL only): the upload and the single predictions go to a web instance
// (BATCH_WORKER_ENABLED=false) and the chunks are processed by a second, batch-only instance on the same database at
// PROCESS_NICE=10 (docs/operations.md).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Papa from "papaparse";
import { startChildServer } from "../tests/support/childServer.ts";
import { createScratchDatabase } from "../tests/support/testServer.ts";
import { SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";

const SPLIT = process.argv.includes("--split");
const WORKER_NICE = 10;
if (SPLIT && !process.env.BENCH_DATABASE_URL) throw new Error("--split needs BENCH_DATABASE_URL: instances share work through PostgreSQL");
const rowsArg = process.argv.indexOf("--rows");
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 100_000;
const texts = labelledSplitFiles(process.env.BENCH_DATA ?? SHARED_DATA_DIR, "train").flatMap(({ file }) => readLabelledCsv(file).map((r) => r.text));
const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-bench-batch-"));
const csvPath = path.join(dir, "reviews.csv");
writeFileSync(csvPath, Papa.unparse([["id", "review"], ...Array.from({ length: ROWS }, (_, i) => [String(i + 1), texts[i % texts.length]!])], { newline: "\r\n" }));
const csv = readFileSync(csvPath);

const scratch = process.env.BENCH_DATABASE_URL ? await createScratchDatabase(process.env.BENCH_DATABASE_URL) : null;
const env: Record<string, string> = scratch ? { DATABASE_URL: scratch.url } : { DATA_DIR: path.join(dir, "data") };
const serverEnv = { ...env, NODE_ENV: "production", ANONYMOUS_PREDICTIONS_PER_MINUTE: "100000" };
const server = await startChildServer(SPLIT ? { ...serverEnv, BATCH_WORKER_ENABLED: "false" } : serverEnv, { timeoutMs: 300_000 });
const worker = SPLIT ? await startChildServer({ ...serverEnv, BATCH_WORKER_ENABLED: "true", PROCESS_NICE: String(WORKER_NICE) }, { timeoutMs: 300_000 }) : null;
const pidOf = (child: typeof server) => Number(JSON.parse(child.output().split("\n").find((l) => l.startsWith('{"url"'))!).pid);
const pid = pidOf(server);

const rssMb = (of = pid) => {
  const status = readFileSync(`/proc/${of}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
};
let peakRss = rssMb();
let workerPeakRss = worker ? rssMb(pidOf(worker)) : 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, rssMb());
  if (worker) workerPeakRss = Math.max(workerPeakRss, rssMb(pidOf(worker)));
}, 100);

const post = (procedure: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/trpc/${procedure}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const token = ((await (await post("auth.register", { email: "bench@example.com", password: "bench-password" })).json()) as any).result.data.token;
const auth = { authorization: `Bearer ${token}` };

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;
/** predict.single for a signed-in user, one request at a time with a pause, until `until` says stop. */
async function singleLatencies(until: () => boolean, max = Infinity): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; !until() && i < max; i++) {
    const t0 = performance.now();
    const response = await post("predict.single", { text: texts[(i * 7919) % texts.length] }, auth);
    await response.arrayBuffer();
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  return times;
}

const idle = await singleLatencies(() => false, 50);
const idleRss = rssMb();

const form = new FormData();
form.append("file", new Blob([csv], { type: "text/csv" }), "reviews.csv");
const started = performance.now();
const upload = await fetch(`${server.url}/api/predict/batch`, { method: "POST", body: form, headers: auth });
const accepted = (await upload.json()) as any;
if (upload.status !== 202) throw new Error(`upload refused: ${upload.status} ${JSON.stringify(accepted)}`);
const uploadSeconds = (performance.now() - started) / 1000;

let done = false;
const during = singleLatencies(() => done);
let final: any;
while (!done) {
  await new Promise((r) => setTimeout(r, 250));
  final = await (await fetch(`${server.url}/api/batches/${accepted.id}`, { headers: auth })).json();
  done = !["uploading", "queued", "running"].includes(final.status);
}
const seconds = (performance.now() - started) / 1000;
const busy = await during;
clearInterval(sampler);
server.child.kill("SIGTERM");
worker?.child.kill("SIGTERM");
await Promise.all([server.exited, worker?.exited]);
await scratch?.drop();
rmSync(dir, { recursive: true, force: true });

const round = (n: number) => Math.round(n * 10) / 10;
const report = {
  rows: ROWS,
  database: process.env.BENCH_DATABASE_URL ? "postgres" : "pglite",
  ...(SPLIT ? { split: `web instance + batch-only instance at PROCESS_NICE=${WORKER_NICE}` } : {}),
  status: final.status,
  processed: final.processed,
  upload_s: round(uploadSeconds),
  end_to_end_s: round(seconds),
  rows_per_s: round(final.processed / seconds),
  idle_server_rss_mb: Math.round(idleRss),
  peak_server_rss_mb: Math.round(peakRss),
  ...(worker ? { peak_batch_instance_rss_mb: Math.round(workerPeakRss) } : {}),
  single_idle_p50_ms: round(percentile(idle, 50)),
  single_idle_p95_ms: round(percentile(idle, 95)),
  single_during_batch_p50_ms: round(percentile(busy, 50)),
  single_during_batch_p95_ms: round(percentile(busy, 95)),
  single_during_batch_requests: busy.length,
  cpus: os.cpus().length,
  load_average_1m: round(os.loadavg()[0]!),
};
console.log(JSON.stringify(report, null, 2));
