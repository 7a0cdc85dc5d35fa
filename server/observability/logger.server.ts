// The server's one logger: pino JSON lines (errors on stderr, the rest on stdout, unless given a destination),
// level from LOG_LEVEL, secrets redacted by key.
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys that may hold a secret or a user's text; a log call that passes one by mistake prints "[redacted]". */
const REDACTED_KEYS = ["password", "token", "authorization", "cookie", "text", "texts", "email", "DATABASE_URL", "METRICS_TOKEN"];

export function createLogger(options: { level: LogLevel; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "cam-xuc" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((key) => `*.${key}`)], censor: "[redacted]" },
    },
    options.destination ??
      pino.multistream(
        // Synchronous writes: a line logged just before process.exit() (start-up failure, shutdown) is never lost.
        [
          { level: "trace", stream: pino.destination({ dest: 1, sync: true }) },
          { level: "error", stream: pino.destination({ dest: 2, sync: true }) },
        ],
        { dedupe: true },
      ),
  );
}
