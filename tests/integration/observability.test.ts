// Logs and metrics as an operator meets them: the compiled server's stdout (one JSON line per request, no
// secrets or texts), /metrics parsed as Prometheus text and counting a prediction, the start-up summary.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../scripts/build-server.ts";
import { startChildServer, type ChildServer } from "../support/childServer.ts";
import { DATABASES, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

type Sample = { labels?: Record<string, string>; value?: string; count?: string };
type Family = { name: string; type: string; metrics: Sample[] };

const parseMetrics = (text: string) => parsePrometheusTextFormat(text) as Family[];
const family = (families: Family[], name: string) => families.find((f) => f.name === name);

const METRICS_TOKEN = "metrics-token-0123456789abcdef";
const PASSWORD = "hunter2-correct-horse";
const EMAIL = "observed@example.com";
const TEXT = "Nhân viên phục vụ rất nhiệt tình, món ăn ngon tuyệt";

describe("the compiled server in production mode (node build/server/main.js)", () => {
  let server: ChildServer;
  let child: ChildProcess;
  const stdout = () => server.stdout();
  const stderr = () => server.stderr();
  let url = "";
  let exitCode: Promise<number | null>;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "camxuc-observed-"));
  const secrets: string[] = [PASSWORD, TEXT, EMAIL, METRICS_TOKEN];

  beforeAll(async () => {
    await buildServer();
    // process.execPath is the project's Node.js 24 (vitest runs on it), the same `node` that npm start uses.
    server = await startChildServer(
      { NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, DATABASE_URL: "", TRUST_PROXY: "true", METRICS_TOKEN, LOG_LEVEL: "info" },
      { entry: "bundle" },
    );
    child = server.child;
    exitCode = server.exited;
    url = server.url;
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lines = () =>
    stdout()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("prints one start-up summary with the runtime, model, database and limits, and warns that the data is ephemeral", async () => {
    // the warning is the line after the summary: the server may be answering before the pipe has delivered it
    for (let i = 0; i < 100 && !lines().some((l) => String(l.msg).includes("EPHEMERAL DATA")); i++) await new Promise((r) => setTimeout(r, 50));
    const summary = lines().find((l) => l.url && l.node)!;
    expect(summary).toMatchObject({ level: "info", node: process.version, version: expect.any(String), database: { kind: "embedded", dataDir } });
    expect(summary.model).toMatchObject({ id: expect.any(String), version: expect.any(String) });
    expect(summary.limits).toMatchObject({ MAX_TEXT_CHARS: 5000, MAX_TEXTS_PER_REQUEST: 100 });
    const warning = lines().find((l) => l.level === "warn" && String(l.msg).includes("EPHEMERAL DATA"));
    expect(warning?.msg).toMatch(/DATABASE_URL is not set/);
  });

  it("tells visitors in the page footer that the data may not survive a restart", async () => {
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('data-testid="ephemeral-database"');
  });

  it("counts a prediction by label and source in /metrics, which wants the bearer token", async () => {
    await trpcPost(url, "auth.register", { email: EMAIL, password: PASSWORD });
    const login = await trpcPost(url, "auth.login", { email: EMAIL, password: PASSWORD });
    const token = login.json.result.data.token as string;
    secrets.push(token);
    const predicted = await trpcPost(url, "predict.single", { text: TEXT }, { authorization: `Bearer ${token}`, "x-request-id": "proxy-id-42" });
    expect(predicted.status).toBe(200);
    expect(predicted.headers.get("x-request-id")).toBe("proxy-id-42");
    const label = predicted.json.result.data.label as string;

    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789abcdef" } })).status).toBe(401);
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    const families = parseMetrics(await response.text());
    const predictions = family(families, "camxuc_predictions_total")!;
    expect(predictions.type).toBe("COUNTER");
    expect(predictions.metrics).toEqual([{ labels: { label, source: "http", model: "fast" }, value: "1" }]);
    const requests = family(families, "camxuc_http_requests_total")!.metrics;
    expect(requests).toContainEqual({ labels: { method: "POST", route: "/api/trpc/predict.single", status: "200" }, value: "1" });
    const duration = family(families, "camxuc_http_request_duration_seconds")!;
    expect(duration.type).toBe("HISTOGRAM");
    // Warm-up at start plus this prediction: at least two ONNX runs, each observed.
    expect(Number(family(families, "camxuc_inference_run_seconds")!.metrics[0]!.count)).toBeGreaterThanOrEqual(2);
    expect(Number(family(families, "camxuc_inference_batch_rows")!.metrics[0]!.count)).toBeGreaterThanOrEqual(2);
    // nothing waits once the prediction is answered, in either lane
    expect(family(families, "camxuc_inference_queued_runs")!.metrics).toEqual([
      { labels: { lane: "interactive" }, value: "0" },
      { labels: { lane: "background" }, value: "0" },
    ]);
    for (const name of ["camxuc_batch_queue_depth", "camxuc_batch_rows_processed_total", "camxuc_process_cpu_seconds_total"]) {
      expect(family(families, name), name).toBeDefined();
    }
  });

  it("logs one JSON line per request with id, method, route, status and duration, and no secret or text", async () => {
    await fetch(`${url}/api/trpc/history.list?input=${encodeURIComponent(JSON.stringify({ search: TEXT }))}`, { headers: { cookie: `camxuc_session=${PASSWORD}` } });
    const exited = exitCode;
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const requests = lines().filter((l) => l.msg === "request");
    expect(requests.length).toBeGreaterThanOrEqual(7);
    for (const line of requests) {
      expect(line).toMatchObject({ requestId: expect.any(String), method: expect.any(String), route: expect.any(String), status: expect.any(Number), durationMs: expect.any(Number) });
    }
    expect(requests.find((l) => l.route === "/api/trpc/predict.single")?.requestId).toBe("proxy-id-42");
    expect(requests.find((l) => l.route === "/api/trpc/history.list")).toMatchObject({ method: "GET", status: 401 });
    for (const secret of secrets) {
      expect(stdout() + stderr()).not.toContain(secret);
      expect(stdout() + stderr()).not.toContain(encodeURIComponent(secret));
    }
    expect(lines().some((l) => String(l.msg).includes("SIGTERM"))).toBe(true);
  });
});

describe.each(DATABASES)("metrics and request ids on %s (in-process server)", (database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(database, { METRICS_PORT: "0" });
  }, 240_000);
  afterAll(async () => {
    await server?.close();
  });

  it("serves /metrics only on the separate METRICS_PORT listener, not on the app's port", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const families = parseMetrics(await (await fetch(server.metricsUrl!)).text());
    expect(family(families, "camxuc_http_requests_total")).toBeDefined();
    const pool = family(families, "camxuc_db_pool_connections");
    if (database === "postgres") expect(pool?.metrics.map((m) => m.labels?.state).sort()).toEqual(["idle", "total", "waiting"]);
    else expect(pool?.metrics ?? []).toEqual([]);
  });

  it("ignores a client's X-Request-Id when no trusted proxy is configured, and always answers with one", async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { "x-request-id": "forged-id" } });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("metrics switched off", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("pglite", { MODEL_ENABLED: "false" });
  }, 240_000);
  afterAll(async () => {
    await server?.close();
  });

  it("has no /metrics without METRICS_TOKEN or METRICS_PORT", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect(server.metricsUrl).toBeNull();
  });
});
