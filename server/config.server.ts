// Every environment variable the server reads, parsed and validated once at start.
import path from "node:path";
import { z } from "zod/v4";
import { DEFAULT_MODEL_DIR } from "./repoPaths.ts";

const BODY_ENVELOPE_BYTES = 65_536;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

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
  SESSION_TTL_HOURS: positiveInt(24),
  MODEL_DIR: z.string().min(1).default(DEFAULT_MODEL_DIR),
  /** "false" skips loading the model (tests of the account system; never in production). */
  MODEL_ENABLED: z.enum(["true", "false"]).default("true").transform((v) => v === "true"),
  /** Set "true" behind an HTTPS proxy (Hugging Face Spaces) so client IPs and https are taken from X-Forwarded-*. */
  TRUST_PROXY: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
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
  INFERENCE_THREADS: positiveInt(2),
  /** A result whose (calibrated) top probability is below this is marked uncertain instead of a verdict. */
  UNCERTAIN_BELOW: z.coerce.number().min(0).max(1).default(0.6),
  /** Longest text (in segmented words) predict.single explains; each word is one more row in the explanation's batch. */
  EXPLAIN_MAX_WORDS: positiveInt(200),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt(20),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(5),
  LOGIN_FAILURE_WINDOW_MINUTES: positiveInt(15),
  REGISTRATIONS_PER_IP_PER_HOUR: positiveInt(10),
  ANONYMOUS_PREDICTIONS_PER_MINUTE: positiveInt(20),
  MIN_PASSWORD_LENGTH: z.coerce.number().int().min(8).default(8),
}).superRefine((env, ctx) => {
  // A request within the text limits must fit the body limit: up to 3 UTF-8 bytes per character, plus room for the envelope.
  const largestTexts = 3 * env.MAX_TEXT_CHARS * env.MAX_TEXTS_PER_REQUEST + BODY_ENVELOPE_BYTES;
  if (env.MAX_BODY_BYTES < largestTexts) {
    ctx.addIssue({ code: "custom", path: ["MAX_BODY_BYTES"],
      message: `must be at least ${largestTexts} (3 bytes × MAX_TEXT_CHARS × MAX_TEXTS_PER_REQUEST + ${BODY_ENVELOPE_BYTES}), or the largest allowed request would be refused` });
  }
  if (env.HISTORY_PAGE_SIZE > env.HISTORY_MAX_PAGE_SIZE) {
    ctx.addIssue({ code: "custom", path: ["HISTORY_PAGE_SIZE"], message: `must not exceed HISTORY_MAX_PAGE_SIZE (${env.HISTORY_MAX_PAGE_SIZE})` });
  }
});

export type Config = z.infer<typeof EnvSchema> & { dataDir: string; databaseKind: "postgres" | "pglite" };

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
    dataDir: path.resolve(parsed.data.DATA_DIR),
    databaseKind: parsed.data.DATABASE_URL ? "postgres" : "pglite",
  };
}
