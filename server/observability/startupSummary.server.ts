// What the server says once it listens: version, runtime, model, database (never credentials), limits in force,
// and, loudly, when its data lives on an embedded database that a production host may wipe.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.server.ts";
import { REPO_ROOT } from "../repoPaths.ts";
import type { Logger } from "./logger.server.ts";

/** Production without DATABASE_URL: the embedded database lives on whatever disk DATA_DIR is on (ephemeral on a free Space). */
export function usesEphemeralDatabase(config: Config): boolean {
  return config.NODE_ENV === "production" && config.databaseKind === "pglite";
}

export function describeDatabase(config: Config): { kind: "embedded"; dataDir: string } | { kind: "postgresql"; host: string; database: string } {
  if (!config.DATABASE_URL) return { kind: "embedded", dataDir: config.dataDir };
  const url = new URL(config.DATABASE_URL.replace(/^postgres:\/\//, "postgresql://"));
  return { kind: "postgresql", host: url.port ? `${url.hostname}:${url.port}` : url.hostname, database: decodeURIComponent(url.pathname.slice(1)) || "(default)" };
}

const LIMIT_NAMES = [
  "MAX_BODY_BYTES", "MAX_TEXT_CHARS", "MAX_TEXTS_PER_REQUEST", "HISTORY_MAX_PAGE_SIZE", "SEARCH_MAX_CHARS",
  "INFERENCE_BATCH_SIZE", "INFERENCE_BATCH_WAIT_MS", "INFERENCE_THREADS", "INFERENCE_WORKERS", "INFERENCE_INTERACTIVE_WORKERS", "INFERENCE_BATCH_NICE", "SESSION_TTL_HOURS",
  "LOGIN_MAX_FAILURES_PER_IP", "LOGIN_MAX_FAILURES_PER_ACCOUNT", "LOGIN_REQUESTS_PER_IP_PER_MINUTE", "REGISTRATIONS_PER_IP_PER_HOUR",
  "ANONYMOUS_PREDICTIONS_PER_MINUTE", "PREDICTIONS_PER_MINUTE_PER_ACCOUNT", "PREDICTIONS_PER_MINUTE_PER_IP", "TRPC_MAX_BATCH",
  "SHUTDOWN_GRACE_SECONDS", "INFERENCE_MAX_BATCH_TOKENS", "INFERENCE_CACHE_SIZE", "API_TOKENS_PER_USER",
  "BATCH_MAX_BYTES", "BATCH_MAX_ROWS", "BATCH_MAX_ACTIVE_PER_USER", "BATCH_MAX_ACTIVE_TOTAL", "BATCH_CHUNK_ROWS",
] as const satisfies readonly (keyof Config)[];

export function startupSummary(config: Config, facts: { url: string; model: { modelId: string; version: string } | null; accurateModel?: { modelId: string; version: string } | null }) {
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  return {
    version,
    node: process.version,
    environment: config.NODE_ENV,
    url: facts.url,
    model: facts.model ? { id: facts.model.modelId, version: facts.model.version } : "disabled (MODEL_ENABLED=false)",
    accurateModel: facts.accurateModel ? { id: facts.accurateModel.modelId, version: facts.accurateModel.version } : null,
    database: describeDatabase(config),
    metrics: config.METRICS_PORT !== undefined ? `separate listener on port ${config.METRICS_PORT}` : config.METRICS_TOKEN ? "/metrics with a bearer token" : "off",
    limits: Object.fromEntries(LIMIT_NAMES.map((name) => [name, config[name]])),
  };
}

export function logStartup(logger: Logger, config: Config, facts: Parameters<typeof startupSummary>[1]): void {
  const summary = startupSummary(config, facts);
  const database = summary.database.kind === "embedded" ? `embedded (${summary.database.dataDir})` : `PostgreSQL ${summary.database.host}/${summary.database.database}`;
  const model = (typeof summary.model === "string" ? summary.model : `${summary.model.id} ${summary.model.version}`)
    + (summary.accurateModel ? ` (accurate: ${summary.accurateModel.id} ${summary.accurateModel.version})` : "");
  logger.info(summary, `Cảm xúc ${summary.version} listening on ${summary.url} (pid ${process.pid}) · Node.js ${summary.node} · model ${model} · database ${database}`);
  if (usesEphemeralDatabase(config)) {
    logger.warn(
      { database: summary.database },
      `EPHEMERAL DATA: DATABASE_URL is not set, so accounts and history are kept in an embedded database under ${config.dataDir}. ` +
        "On a host whose disk is wiped at restart (a free Hugging Face Space) they are LOST at every restart or rebuild. " +
        "Set DATABASE_URL to a PostgreSQL server to keep them.",
    );
  }
}
