// Starts Cảm xúc: config -> model -> database (migrated) -> one HTTP server; stops cleanly on SIGTERM/SIGINT.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { loadConfig, type Config } from "./config.server.ts";
import { createHttpApp } from "./http/app.server.ts";
import { GracefulShutdown } from "./http/gracefulShutdown.server.ts";
import { AspectModel } from "./inference/aspectModel.server.ts";
import type { InferencePool } from "./inference/workerPool.server.ts";
import { Classifier } from "./inference/classifier.server.ts";
import { createLogger, type Logger } from "./observability/logger.server.ts";
import { listenForMetrics, type InferenceObserver } from "./observability/metrics.server.ts";
import { logStartup } from "./observability/startupSummary.server.ts";
import { lowerProcessPriority } from "./processPriority.server.ts";
import { REPO_ROOT } from "./repoPaths.ts";
import { closeServices, createServices, type AppServices } from "./services.server.ts";

const BUILD_PATH = path.join(REPO_ROOT, "build", "index.js");

async function loadRemixBuild(logger: Logger): Promise<ServerBuild> {
  if (!existsSync(BUILD_PATH)) {
    logger.info("No build found: building the web app first (npm run build)...");
    execFileSync("npm", ["run", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  }
  return (await import(pathToFileURL(BUILD_PATH).href)) as ServerBuild;
}

export async function loadClassifier(config: Config, observer?: InferenceObserver, pool?: InferencePool): Promise<Classifier | null> {
  if (!config.MODEL_ENABLED) return null;
  return Classifier.load(config.MODEL_DIR, {
    pool,
    threads: config.INFERENCE_THREADS,
    workers: config.INFERENCE_WORKERS,
    batchSize: config.INFERENCE_BATCH_SIZE,
    batchWaitMs: config.INFERENCE_BATCH_WAIT_MS,
    maxBatchTokens: config.INFERENCE_MAX_BATCH_TOKENS,
    cacheSize: config.INFERENCE_CACHE_SIZE,
    observer,
  });
}

export async function loadAspectModel(config: Config, pool?: InferencePool): Promise<AspectModel | null> {
  if (!config.MODEL_ENABLED || !config.ASPECT_MODEL_ENABLED) return null;
  return AspectModel.load(config.ASPECT_MODEL_DIR, {
    pool,
    threads: config.INFERENCE_THREADS,
    batchSize: config.INFERENCE_BATCH_SIZE,
    maxBatchTokens: config.INFERENCE_MAX_BATCH_TOKENS,
    autoMinConfidence: config.ASPECT_AUTO_MIN_CONFIDENCE,
  });
}

export type RunningServer = { server: Server; services: AppServices; url: string; metricsUrl: string | null; stop(): Promise<void> };

export async function startServer(config: Config, options: { withUi?: boolean; logger?: Logger } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  // before the inference workers start, so that they and their ONNX Runtime threads take it
  if (config.PROCESS_NICE > 0) lowerProcessPriority(config.PROCESS_NICE);
  const build = options.withUi === false ? null : await loadRemixBuild(logger);
  const services = await createServices(config, loadClassifier, { logger, loadAspectModel });
  await services.batchQueue.start({ work: config.BATCH_WORKER_ENABLED });
  const shuttingDown = new AbortController();
  const app = createHttpApp(services, build, { stopping: shuttingDown.signal });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once("error", reject);
  });
  const metricsListener = await listenForMetrics(services.metrics, config);
  // Expired sessions stay harmless (validation refuses them) but would pile up: sweep them hourly.
  const sweep = setInterval(() => void services.auth.deleteExpiredSessions().catch((err) => logger.error({ err }, "session sweep failed")), 3_600_000);
  sweep.unref();
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const shutdown = new GracefulShutdown(server);
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      // Accept what the kernel has queued, stop accepting, answer what was received, then close the model and the
      // database (which in-flight requests were still using). The connections get the grace period less a second
      // for the closing.
      clearInterval(sweep);
      // Progress streams would hold their connections for the whole grace period: they end first.
      shuttingDown.abort();
      const drainMs = Math.max(1_000, config.SHUTDOWN_GRACE_SECONDS * 1000 - 1_000);
      const deadline = Date.now() + drainMs;
      metricsListener?.close();
      const { answeredDuringDrain, cutConnections } = await shutdown.drain(drainMs);
      // Running batch chunks may finish in what is left of the grace period; one that does not is retried by the
      // next instance (its rows and done mark are one transaction, so nothing is stored twice).
      await services.batchQueue.stop(Math.max(500, deadline - Date.now()));
      await closeServices(services);
      logger.info({ answeredDuringDrain, cutConnections }, `stopped: ${answeredDuringDrain} request(s) answered while stopping, ${cutConnections} connection(s) cut at the deadline`);
    })());
  return { server, services, url: `http://localhost:${port}`, metricsUrl: metricsListener?.url ?? null, stop };
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    // No LOG_LEVEL to honour yet: a plain line a person reads at once.
    console.error((error as Error).message);
    process.exit(1);
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  let running: RunningServer;
  try {
    running = await startServer(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, `Cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  logStartup(logger, config, { url: running.url, model: running.services.classifier?.model ?? null, accurateModel: running.services.accurateClassifier?.model ?? null });
  onStopSignal(config.SHUTDOWN_GRACE_SECONDS, logger, () => running.stop());
}

/**
 * SIGTERM / SIGINT: one shutdown, exit 0 when it completes, exit 1 if it outlasts the grace period. Repeated
 * signals (a launcher relaying the same one) are ignored rather than left to Node's default, which kills at once.
 */
function onStopSignal(graceSeconds: number, logger: Logger, stop: () => Promise<void>): void {
  let started = false;
  const handler = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.info(`${signal}: shutting down (grace ${graceSeconds} s)`);
    setTimeout(() => {
      logger.error(`shutdown took longer than SHUTDOWN_GRACE_SECONDS=${graceSeconds}: exiting anyway`);
      process.exit(1);
    }, graceSeconds * 1000).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
