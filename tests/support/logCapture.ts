// The server's one logger (pino JSON lines, redaction and all), writing into an array a test reads.
import { createLogger, type Logger, type LogLevel } from "../../server/observability/logger.server.ts";

export type LogLine = Record<string, unknown> & { level: string; msg: string };

export function captureLogs(level: LogLevel = "debug"): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
  return { logger, lines };
}
