// The Prometheus metrics of one server (its own prom-client registry): HTTP, predictions, inference, database
// pool, and the batch queue; parts of the server report through the small recorders exported here.
import { timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import express, { type RequestHandler } from "express";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { InferenceObserver } from "../inference/classifier.server.ts";

export type { InferenceObserver };

export type PoolStats = { total: number; idle: number; waiting: number };

export type AppMetrics = ReturnType<typeof createMetrics>;

export function createMetrics(
  options: { poolStats?: () => PoolStats | null; queueDepth?: () => Promise<number | null>; inferenceQueue?: () => Record<"interactive" | "background", number> | null } = {},
) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "camxuc_" });

  const httpRequests = new Counter({
    name: "camxuc_http_requests_total",
    help: "HTTP requests answered, by method, route and status code",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "camxuc_http_request_duration_seconds",
    help: "Time from request to response finished, by method, route and status code",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const predictions = new Counter({
    name: "camxuc_predictions_total",
    help: "Texts classified, by predicted label, source (http: the API, remix: the web UI, batch: batch jobs) and model (fast, accurate)",
    labelNames: ["label", "source", "model"] as const,
    registers: [registry],
  });
  const inferenceBatchRows = new Histogram({
    name: "camxuc_inference_batch_rows",
    help: "Windows (rows) fed to one ONNX Runtime run",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  const inferenceRunSeconds = new Histogram({
    name: "camxuc_inference_run_seconds",
    help: "Duration of one ONNX Runtime run",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inferenceWorkerExits = new Counter({
    name: "camxuc_inference_worker_exits_total",
    help: "Inference worker threads that died and were replaced",
    registers: [registry],
  });
  const inferenceCacheLookups = new Counter({
    name: "camxuc_inference_cache_lookups_total",
    help: "Texts looked up in the recent-results cache, by result (hit: no model run needed)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const queueDepth = options.queueDepth;
  const batchQueueDepth = new Gauge({
    name: "camxuc_batch_queue_depth",
    help: "Batch chunk jobs waiting to be worked on (all instances)",
    registers: [registry],
    async collect() {
      const depth = await queueDepth?.().catch(() => null);
      if (depth !== undefined && depth !== null) this.set(depth);
    },
  });
  const inferenceQueue = options.inferenceQueue;
  new Gauge({
    name: "camxuc_inference_queued_runs",
    help: "ONNX Runtime runs waiting in this instance, by lane (interactive runs go before background ones)",
    labelNames: ["lane"] as const,
    registers: [registry],
    collect() {
      const queued = inferenceQueue?.();
      if (!queued) return;
      this.set({ lane: "interactive" }, queued.interactive);
      this.set({ lane: "background" }, queued.background);
    },
  });
  const batchRowsProcessed = new Counter({
    name: "camxuc_batch_rows_processed_total",
    help: "Rows of uploaded batches processed, by outcome (ok or failed)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const poolStats = options.poolStats;
  if (poolStats) {
    new Gauge({
      name: "camxuc_db_pool_connections",
      help: "PostgreSQL pool connections: total open, idle, and requests waiting for one",
      labelNames: ["state"] as const,
      registers: [registry],
      collect() {
        const stats = poolStats();
        if (!stats) return;
        this.set({ state: "total" }, stats.total);
        this.set({ state: "idle" }, stats.idle);
        this.set({ state: "waiting" }, stats.waiting);
      },
    });
  }

  const inferenceObserver: InferenceObserver = {
    batchRun({ rows, seconds }) {
      inferenceBatchRows.observe(rows);
      inferenceRunSeconds.observe(seconds);
    },
    workerExited() {
      inferenceWorkerExits.inc();
    },
    cacheLookups(hits, misses) {
      if (hits) inferenceCacheLookups.inc({ result: "hit" }, hits);
      if (misses) inferenceCacheLookups.inc({ result: "miss" }, misses);
    },
  };

  return {
    registry,
    inferenceObserver,
    recordRequest(labels: { method: string; route: string; status: number }, seconds: number) {
      const values = { method: labels.method, route: labels.route, status: String(labels.status) };
      httpRequests.inc(values);
      httpDuration.observe(values, seconds);
    },
    recordPredictions(labels: readonly string[], source: "http" | "remix" | "batch", model: "fast" | "accurate" = "fast") {
      for (const label of labels) predictions.inc({ label, source, model });
    },
    /** For the batch worker: jobs waiting now. */
    setBatchQueueDepth(depth: number) {
      batchQueueDepth.set(depth);
    },
    /** For the batch worker: rows finished since the last call. */
    addBatchRowsProcessed(rows: number, outcome: "ok" | "failed" = "ok") {
      batchRowsProcessed.inc({ outcome }, rows);
    },
  };
}

/** GET /metrics: the registry in Prometheus text format; with a token, only for `Authorization: Bearer <token>`. */
export function metricsHandler(metrics: AppMetrics, token: string | undefined): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return async (req, res) => {
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').json({ error: { message: "A bearer token is required for /metrics" } });
        return;
      }
    }
    res.set("Content-Type", metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

/** With METRICS_PORT: a listener of its own serving only /metrics (bearer-protected too when METRICS_TOKEN is set). */
export async function listenForMetrics(
  metrics: AppMetrics,
  config: { METRICS_PORT?: number; METRICS_TOKEN?: string; HOST: string },
): Promise<{ url: string; close(): void } | null> {
  const port = config.METRICS_PORT;
  if (port === undefined) return null;
  const app = express().disable("x-powered-by").get("/metrics", metricsHandler(metrics, config.METRICS_TOKEN));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, config.HOST, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address();
  return {
    url: `http://localhost:${typeof address === "object" && address ? address.port : port}/metrics`,
    close() {
      server.close();
      server.closeAllConnections();
    },
  };
}
