// Soak test (not part of npm test): N signed-in clients on loopback against a real server process for S seconds,
// a mix of single predictions, history reads and logins. Prints requests/s, p50/p99, the count of 5xx, and
// stored rows against the 2xx prediction answers (nothing lost, nothing duplicated).
// Usage: npm run soak [-- --seconds 60 --clients 50 --database pglite|postgres --batch-rows 20000]
//   --batch-rows: one client uploads a batch of that many reviews at the start; its progress is reported (rows/s under load).
//   postgres: a scratch database on TEST_DATABASE_URL (or DATABASE_URL), dropped afterwards.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { REPO_ROOT } from "../server/repoPaths.ts";
import { createScratchDatabase } from "../tests/support/testServer.ts";
import { reviewCsv } from "../tests/support/batchFiles.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" }, clients: { type: "string", default: "50" }, database: { type: "string", default: "pglite" },
    "batch-rows": { type: "string", default: "0" },
  },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const DATABASE = values.database === "postgres" ? "postgres" : "pglite";
const BATCH_ROWS = Number(values["batch-rows"]);

type Kind = "predict" | "history" | "login";
const latencies: Record<Kind, number[]> = { predict: [], history: [], login: [] };
const counts = { ok: 0, predictOk: 0, status4xx: 0, status5xx: 0, connectionErrors: 0 };
const errorSamples: string[] = [];

function request(agent: http.Agent, port: number, method: "GET" | "POST", pathName: string, body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: "127.0.0.1", port, path: pathName, method, agent, headers: { ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}), ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            reject(new Error(`incomplete answer: ${text.slice(0, 80)}`));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}


function startServer(env: Record<string, string>) {
  const child = spawn(path.join(REPO_ROOT, "node_modules", ".bin", "tsx"), ["server/main.ts"], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise<{ port: number; stop(): Promise<number | null> }>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      const match = output.match(/listening on http:\/\/localhost:(\d+) \(pid (\d+)/);
      if (match) {
        resolve({
          port: Number(match[1]),
          // the app itself, as with `node` in production: tsx's CLI relays a signal only if the app acknowledges it
          // within ~30 ms, and kills it otherwise (issue 15 moves the image off tsx)
          stop: () => new Promise((done) => (child.once("exit", (code) => done(code)), process.kill(Number(match[2]), "SIGTERM"))),
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d: Buffer) => (process.stderr.write(d), onData(d)));
    child.once("exit", (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

const dataDir = mkdtempSync(path.join(os.tmpdir(), "camxuc-soak-"));
const scratch = DATABASE === "postgres" ? await createScratchDatabase() : null;
// Every client is on 127.0.0.1: the per-IP limits would measure themselves, not the server.
const server = await startServer({
  NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, DATABASE_URL: scratch?.url ?? "",
  REGISTRATIONS_PER_IP_PER_HOUR: "100000", LOGIN_REQUESTS_PER_IP_PER_MINUTE: "1000000", LOGIN_MAX_FAILURES_PER_IP: "1000000",
  PREDICTIONS_PER_MINUTE_PER_IP: "1000000", PREDICTIONS_PER_MINUTE_PER_ACCOUNT: "1000000",
});
console.log(`soak: ${CLIENTS} clients, ${SECONDS} s, ${DATABASE}, server on port ${server.port}`);

const clients = await Promise.all(
  Array.from({ length: CLIENTS }, async (_, n) => {
    const email = `soak-${n}@example.com`;
    const password = `soak-password-${n}-x`;
    // signed up on a connection of its own: a keep-alive connection left idle while the others sign up would
    // be closed by the server's keep-alive timeout, racing the first request of the run
    const reg = await request(new http.Agent(), server.port, "POST", "/api/trpc/auth.register", { email, password, locale: "vi" });
    if (reg.status !== 200) throw new Error(`sign-up failed: ${JSON.stringify(reg.json)}`);
    return { agent: new http.Agent({ keepAlive: true, maxSockets: 1 }), email, password, token: reg.json.result.data.token as string };
  }),
);

let batchId: string | null = null;
if (BATCH_ROWS > 0) {
  const form = new FormData();
  form.append("text_column", "review");
  form.append("file", new Blob([reviewCsv(BATCH_ROWS)], { type: "text/csv" }), "soak.csv");
  const upload = await fetch(`http://127.0.0.1:${server.port}/api/predict/batch`, { method: "POST", body: form, headers: { authorization: `Bearer ${clients[0]!.token}` } });
  const answer = (await upload.json()) as { id?: string };
  if (upload.status !== 202 || !answer.id) throw new Error(`batch upload failed: ${upload.status} ${JSON.stringify(answer)}`);
  batchId = answer.id;
}
const batchProgress = async () => {
  if (!batchId) return null;
  const res = await fetch(`http://127.0.0.1:${server.port}/api/batches/${batchId}`, { headers: { authorization: `Bearer ${clients[0]!.token}` } });
  return (await res.json()) as { status: string; processed: number; total: number };
};

const endAt = Date.now() + SECONDS * 1000;
const started = Date.now();
await Promise.all(
  clients.map(async (c, n) => {
    for (let i = 0; Date.now() < endAt; i++) {
      const r = Math.random();
      const kind: Kind = r < 0.6 ? "predict" : r < 0.9 ? "history" : "login";
      const auth = { authorization: `Bearer ${c.token}` };
      const t0 = performance.now();
      try {
        const res =
          kind === "predict" ? await request(c.agent, server.port, "POST", "/api/trpc/predict.single", { text: `Giao hàng nhanh, đóng gói cẩn thận ${n}-${i}` }, auth)
          : kind === "history" ? await request(c.agent, server.port, "GET", `/api/trpc/history.list?input=${encodeURIComponent(JSON.stringify({ limit: 20 }))}`, undefined, auth)
          : await request(c.agent, server.port, "POST", "/api/trpc/auth.login", { email: c.email, password: c.password });
        latencies[kind].push(performance.now() - t0);
        if (res.status >= 500) counts.status5xx++;
        else if (res.status >= 400) counts.status4xx++;
        else {
          counts.ok++;
          if (kind === "predict") counts.predictOk++;
          if (kind === "login") c.token = res.json.result.data.token;
        }
      } catch (error) {
        counts.connectionErrors++;
        if (errorSamples.length < 5) errorSamples.push(`${kind} after ${((Date.now() - started) / 1000).toFixed(1)} s: ${(error as { code?: string }).code ?? ""} ${(error as Error).message}`);
      }
    }
  }),
);
const elapsed = (Date.now() - started) / 1000;
const batchAtEnd = await batchProgress().catch(() => null);
const exitCode = await server.stop();

let stored: number;
if (scratch) {
  const db = new pg.Client({ connectionString: scratch.url });
  await db.connect();
  stored = Number((await db.query("SELECT count(*) AS n FROM predictions WHERE source <> 'batch'")).rows[0].n);
  await db.end();
  await scratch.drop();
} else {
  const db = await PGlite.create(path.join(dataDir, "pglite"));
  stored = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM predictions WHERE source <> 'batch'")).rows[0]!.n;
  await db.close();
}
rmSync(dataDir, { recursive: true, force: true });

const all = Object.values(latencies).flat().sort((a, b) => a - b);
const total = all.length + counts.connectionErrors;
const ms = (v: number) => `${v.toFixed(0)} ms`;
console.log(`requests: ${total} in ${elapsed.toFixed(1)} s = ${(total / elapsed).toFixed(1)} req/s`);
console.log(`latency: p50 ${ms(percentile(all, 50))}, p99 ${ms(percentile(all, 99))}`);
for (const kind of Object.keys(latencies) as Kind[]) {
  const sorted = latencies[kind].sort((a, b) => a - b);
  console.log(`  ${kind.padEnd(8)} ${String(sorted.length).padStart(6)}  p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}`);
}
console.log(`answers: ${counts.ok} 2xx, ${counts.status4xx} 4xx, ${counts.status5xx} 5xx, ${counts.connectionErrors} connection errors`);
for (const sample of errorSamples) console.log(`  connection error: ${sample}`);
console.log(`stored predictions: ${stored}; 2xx prediction answers: ${counts.predictOk} (${stored === counts.predictOk ? "equal: nothing lost, nothing duplicated" : "DIFFERENT"})`);
if (batchAtEnd) {
  console.log(`batch: ${batchAtEnd.processed} of ${batchAtEnd.total} rows processed during the run (${batchAtEnd.status}) = ${(batchAtEnd.processed / elapsed).toFixed(1)} rows/s under load`);
}
console.log(`server exit code after SIGTERM: ${exitCode}`);
process.exit(counts.status5xx === 0 && counts.connectionErrors === 0 && stored === counts.predictOk && exitCode === 0 ? 0 : 1);
