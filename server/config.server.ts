// Every environment variable the server reads, parsed and validated once at start.
import { availableParallelism } from "node:os";
import path from "node:path";
import { z } from "zod/v4";
import { DEFAULT_ASPECT_MODEL_DIR, DEFAULT_MODEL_DIR } from "./repoPaths.ts";
import { LOG_LEVELS } from "./observability/logger.server.ts";

const BODY_ENVELOPE_BYTES = 65_536;

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const NICE_RANGE = "must be a nice value, a whole number from 0 (normal priority) to 19 (the lowest)";
const niceValue = (fallback: number) => z.coerce.number().int(NICE_RANGE).min(0, NICE_RANGE).max(19, NICE_RANGE).default(fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(7860),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** PostgreSQL server; unset means the embedded PGlite database under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), "must start with postgres:// or postgresql://"),
  DATA_DIR: z.string().min(1).default("./data"),
  /** shared_buffers of the embedded database (PGlite runs inside the server process, so this is the server's memory). */
  EMBEDDED_DB_SHARED_BUFFERS_MB: positiveInt(16),
  SESSION_TTL_HOURS: positiveInt(24),
  MODEL_DIR: z.string().min(1).default(DEFAULT_MODEL_DIR),
  /** A second, slower and more accurate model folder loaded beside MODEL_DIR ("accurate" per analysis); unset: none. */
  ACCURATE_MODEL_DIR: z.string().trim().optional().transform((v) => (v ? v : undefined)),
  /** "false" skips loading the model (tests of the account system; never in production). */
  MODEL_ENABLED: z.enum(["true", "false"]).default("true").transform((v) => v === "true"),
  /** The aspect model folder (aspects and their polarity per domain). */
  ASPECT_MODEL_DIR: z.string().min(1).default(DEFAULT_ASPECT_MODEL_DIR),
  /** "false" (or MODEL_ENABLED=false) starts without it: analyses then have no aspects. */
  ASPECT_MODEL_ENABLED: z.enum(["true", "false"]).default("true").transform((v) => v === "true"),
  /** Domain `auto` reads the general aspects when the domain head's top probability is below this. */
  ASPECT_AUTO_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.5),
  /**
   * How many proxies in front of the app to trust (Express `trust proxy` as a hop count): the client address is
   * the one the last trusted proxy saw. 0 (or "false") trusts none; "true" means 1 (never "everything").
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .default("0")
    .transform((v) => Number(v === "false" ? "0" : v === "true" ? "1" : v || "x"))
    .pipe(z.number().int("must be a hop count: 0, 1, 2 ...").min(0, "must be a hop count: 0, 1, 2 ...").max(10, "more than 10 proxies is not a real set-up")),
  MAX_BODY_BYTES: positiveInt(2_000_000),
  MAX_TEXT_CHARS: positiveInt(5_000),
  MAX_TEXTS_PER_REQUEST: positiveInt(100),
  HISTORY_PAGE_SIZE: positiveInt(20),
  HISTORY_MAX_PAGE_SIZE: positiveInt(100),
  SEARCH_MAX_CHARS: positiveInt(200),
  DASHBOARD_DAYS: positiveInt(30),
  WORDCLOUD_MAX_TEXTS: positiveInt(2_000),
  WORDCLOUD_TERMS: positiveInt(60),
  INFERENCE_BATCH_SIZE: positiveInt(32),
  INFERENCE_BATCH_WAIT_MS: z.coerce.number().int().min(0).default(5),
  INFERENCE_THREADS: positiveInt(1),
  /** Worker threads running the model; unset: one per INFERENCE_THREADS cores (at least one). */
  INFERENCE_WORKERS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(64).optional()),
  /** Workers beside INFERENCE_WORKERS kept for single predictions and explanations, at normal priority; 0: none. */
  INFERENCE_INTERACTIVE_WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  /** Nice value (0-19) of the INFERENCE_WORKERS threads, which run batch work: higher lets a person's request take a core sooner. */
  INFERENCE_BATCH_NICE: niceValue(5),
  /** Most padded tokens (rows x longest row) in one ONNX Runtime run: long reviews go in smaller batches. */
  INFERENCE_MAX_BATCH_TOKENS: positiveInt(4_096),
  /** Recent classifications kept in memory, keyed by model version and normalised text; 0 turns the cache off. */
  INFERENCE_CACHE_SIZE: z.coerce.number().int().min(0).default(5_000),
  /** Batch work's floor under interactive load: one background run after this many interactive runs in a row. */
  INFERENCE_BACKGROUND_EVERY: positiveInt(16),
  /** A result whose (calibrated) top probability is below this is marked uncertain instead of a verdict. */
  UNCERTAIN_BELOW: z.coerce.number().min(0).max(1).default(0.6),
  /** A Latin-script text without Vietnamese letters needs this many words before it can be flagged "not Vietnamese". */
  LANGUAGE_CHECK_MIN_WORDS: positiveInt(3),
  /** Longest text (in segmented words) predict.single explains; each word is one more row in the explanation's batch. */
  EXPLAIN_MAX_WORDS: positiveInt(200),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt(20),
  /** Failed logins per account from one client address per window (a guesser cannot lock the owner out from elsewhere). */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(5),
  /** Failed logins per account from all addresses per window; then only addresses that logged in before are checked. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_IPS: positiveInt(50),
  /** At most 24: the in-memory store (PGlite) expires keys with a timer, and Node timers end at 24.8 days. */
  LOGIN_KNOWN_ADDRESS_DAYS: z.coerce.number().int().min(1).max(24).default(14),
  LOGIN_FAILURE_WINDOW_MINUTES: positiveInt(15),
  REGISTRATIONS_PER_IP_PER_HOUR: positiveInt(10),
  ANONYMOUS_PREDICTIONS_PER_MINUTE: positiveInt(20),
  API_TOKENS_PER_USER: positiveInt(20),
  API_TOKEN_MAX_DAYS: positiveInt(365),
  API_TOKEN_NAME_MAX_CHARS: positiveInt(100),
  /** Comma-separated origins (e.g. https://app.example.com) whose browser apps may call /api; empty: CORS off. */
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((o) => o.trim()).filter(Boolean))
    .refine((origins) => origins.every(isOrigin), "must be a comma-separated list of origins like https://app.example.com (scheme, host and port; no path)"),
  MIN_PASSWORD_LENGTH: z.coerce.number().int().min(8).default(8),
  /** Different characters a new password needs (besides a letter or digit): "        " and "ơơơơơơơơ" are refused. */
  MIN_PASSWORD_DISTINCT_CHARS: z.coerce.number().int().min(1).default(4),
  /** Hardening (issue 14): limits that hold under parallel and batched requests. */
  LOGIN_REQUESTS_PER_IP_PER_MINUTE: positiveInt(30),
  PREDICTIONS_PER_MINUTE_PER_ACCOUNT: positiveInt(600),
  PREDICTIONS_PER_MINUTE_PER_IP: positiveInt(1_200),
  TRPC_MAX_BATCH: positiveInt(10),
  SHUTDOWN_GRACE_SECONDS: positiveInt(10),
  DATABASE_RETRY_AFTER_SECONDS: positiveInt(5),
  /** PostgreSQL: how long to wait for a new connection before the database counts as unreachable (503). */
  DATABASE_CONNECT_TIMEOUT_SECONDS: positiveInt(5),
  /** PostgreSQL: the longest a statement runs (statement_timeout; that request is 503, no outage); no answer 2 s after it: unreachable. */
  DATABASE_QUERY_TIMEOUT_SECONDS: positiveInt(30),
  /** Batch analysis (server/batches): upload limits, chunking, the queue's timings. */
  BATCH_MAX_BYTES: positiveInt(50_000_000),
  BATCH_MAX_ROWS: positiveInt(200_000),
  BATCH_MAX_CELL_CHARS: positiveInt(5_000),
  /** Longest uploaded file name kept with a batch; a longer one is refused (400). */
  BATCH_FILE_NAME_MAX_CHARS: positiveInt(255),
  BATCH_MAX_ACTIVE_PER_USER: positiveInt(2),
  BATCH_MAX_ACTIVE_TOTAL: positiveInt(20),
  BATCH_CHUNK_ROWS: positiveInt(500),
  BATCH_WORKER_ENABLED: z.enum(["true", "false"]).default("true").transform((v) => v === "true"),
  /**
   * Nice value (0-19) this process takes at start, for all its threads: a batch-only instance (BATCH_WORKER_ENABLED
   * beside web instances that have it off, on one PostgreSQL and one machine) at 10 leaves people's requests the cores.
   */
  PROCESS_NICE: niceValue(0),
  BATCH_WORKER_CONCURRENCY: positiveInt(2),
  /** A chunk whose worker stops sending heartbeats (killed) is retried after this many seconds (pg-boss minimum 10). */
  BATCH_CHUNK_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).default(10),
  BATCH_CHUNK_EXPIRE_SECONDS: positiveInt(600),
  BATCH_SUPERVISE_SECONDS: positiveInt(2),
  /** An upload still being received after this long is taken for one whose instance died, and deleted (fractions allowed: 0.5 is 30 s). */
  BATCH_ABANDONED_UPLOAD_MINUTES: z.coerce.number().min(0.1, "must be at least 0.1 minutes (6 s): a shorter one would delete uploads still arriving").default(60),
  /** Texts per label read for a finished batch's word clouds. */
  BATCH_WORDCLOUD_MAX_TEXTS: positiveInt(5_000),
  BATCH_LOW_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.6),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /** Serves /metrics on the main port to `Authorization: Bearer <METRICS_TOKEN>`; unset (and no METRICS_PORT): no metrics. */
  METRICS_TOKEN: z.string().trim().optional().transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || v.length >= 16, "must be at least 16 characters (a random secret)"),
  /** Serves /metrics on this separate port (bind it where only the scraper reaches); 0 picks a free port. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
}).superRefine((env, ctx) => {
  // A request within the text limits must fit the body limit: up to 3 UTF-8 bytes per character, plus room for the envelope.
  const largestTexts = 3 * env.MAX_TEXT_CHARS * env.MAX_TEXTS_PER_REQUEST + BODY_ENVELOPE_BYTES;
  if (env.MAX_BODY_BYTES < largestTexts) {
    ctx.addIssue({ code: "custom", path: ["MAX_BODY_BYTES"],
      message: `must be at least ${largestTexts} (3 bytes × MAX_TEXT_CHARS × MAX_TEXTS_PER_REQUEST + ${BODY_ENVELOPE_BYTES}), or the largest allowed request would be refused` });
  }
  if (env.BATCH_MAX_ACTIVE_PER_USER > env.BATCH_MAX_ACTIVE_TOTAL) {
    ctx.addIssue({ code: "custom", path: ["BATCH_MAX_ACTIVE_PER_USER"], message: `must not exceed BATCH_MAX_ACTIVE_TOTAL (${env.BATCH_MAX_ACTIVE_TOTAL})` });
  }
  if (env.HISTORY_PAGE_SIZE > env.HISTORY_MAX_PAGE_SIZE) {
    ctx.addIssue({ code: "custom", path: ["HISTORY_PAGE_SIZE"], message: `must not exceed HISTORY_MAX_PAGE_SIZE (${env.HISTORY_MAX_PAGE_SIZE})` });
  }
});

export type Config = Omit<z.infer<typeof EnvSchema>, "INFERENCE_WORKERS"> & { INFERENCE_WORKERS: number; dataDir: string; databaseKind: "postgres" | "pglite" };

/** INFERENCE_WORKERS when unset: each worker's ONNX Runtime uses INFERENCE_THREADS cores, so one per that many cores. */
export function defaultInferenceWorkers(threadsPerWorker: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / threadsPerWorker));
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(`Invalid environment variable ${name}=${JSON.stringify(env[name] ?? "")}: ${issue.message}`);
  }
  return {
    ...parsed.data,
    INFERENCE_WORKERS: parsed.data.INFERENCE_WORKERS ?? defaultInferenceWorkers(parsed.data.INFERENCE_THREADS),
    dataDir: path.resolve(parsed.data.DATA_DIR),
    databaseKind: parsed.data.DATABASE_URL ? "postgres" : "pglite",
  };
}
