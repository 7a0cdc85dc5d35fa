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
import { Classifier } from "./inference/classifier.server.ts";
import { REPO_ROOT } from "./repoPaths.ts";
import { closeServices, createServices, type AppServices } from "./services.server.ts";

const BUILD_PATH = path.join(REPO_ROOT, "build", "index.js");

async function loadRemixBuild(): Promise<ServerBuild> {
  if (!existsSync(BUILD_PATH)) {
    console.log("No build found: building the web app first (npm run build)...");
    execFileSync("npm", ["run", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  }
  return (await import(pathToFileURL(BUILD_PATH).href)) as ServerBuild;
}

export async function loadClassifier(config: Config): Promise<Classifier | null> {
  if (!config.MODEL_ENABLED) return null;
  return Classifier.load(config.MODEL_DIR, {
    threads: config.INFERENCE_THREADS,
    batchSize: config.INFERENCE_BATCH_SIZE,
    batchWaitMs: config.INFERENCE_BATCH_WAIT_MS,
    maxBatchTokens: config.INFERENCE_MAX_BATCH_TOKENS,
    cacheSize: config.INFERENCE_CACHE_SIZE,
  });
}

export type RunningServer = { server: Server; services: AppServices; url: string; stop(): Promise<void> };

export async function startServer(config: Config, options: { withUi?: boolean } = {}): Promise<RunningServer> {
  const build = options.withUi === false ? null : await loadRemixBuild();
  const services = await createServices(config, loadClassifier);
  await services.batchQueue.start({ work: config.BATCH_WORKER_ENABLED });
  const app = createHttpApp(services, build);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once("error", reject);
  });
  // Expired sessions stay harmless (validation refuses them) but would pile up: sweep them hourly.
  const sweep = setInterval(() => void services.auth.deleteExpiredSessions().catch((e) => console.error("session sweep failed:", e)), 3_600_000);
  sweep.unref();
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const shutdown = new GracefulShutdown(server);
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      // Stop accepting, answer what was received, then close the model and the database (which in-flight
      // requests were still using). The connections get the grace period less a second for the closing.
      clearInterval(sweep);
      const drainMs = Math.max(1_000, config.SHUTDOWN_GRACE_SECONDS * 1000 - 1_000);
      const { answeredDuringDrain, cutConnections } = await shutdown.drain(drainMs);
      // Running batch chunks finish (or are handed back to the queue) before the model and database close.
      await services.batchQueue.stop();
      await closeServices(services);
      if (config.NODE_ENV !== "test") console.log(`stopped: ${answeredDuringDrain} request(s) answered while stopping, ${cutConnections} connection(s) cut at the deadline`);
    })());
  return { server, services, url: `http://localhost:${port}`, stop };
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  let running: RunningServer;
  try {
    running = await startServer(config);
  } catch (error) {
    console.error(`Cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(`Cảm xúc listening on ${running.url} (pid ${process.pid}, database: ${running.services.db.kind}, model: ${running.services.classifier?.model.modelId ?? "none"})`);
  onStopSignal(config.SHUTDOWN_GRACE_SECONDS, () => running.stop());
}

/**
 * SIGTERM / SIGINT: one shutdown, exit 0 when it completes, exit 1 if it outlasts the grace period. Repeated
 * signals (a launcher relaying the same one) are ignored rather than left to Node's default, which kills at once.
 */
function onStopSignal(graceSeconds: number, stop: () => Promise<void>): void {
  let started = false;
  const handler = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    console.log(`${signal}: shutting down (grace ${graceSeconds} s)`);
    setTimeout(() => {
      console.error(`shutdown took longer than SHUTDOWN_GRACE_SECONDS=${graceSeconds}: exiting anyway`);
      process.exit(1);
    }, graceSeconds * 1000).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
