// Tells a database that cannot be reached from every other error, and keeps the log to one line when an
// outage starts and one when it ends (a probe every few seconds notices the recovery), instead of a stack
// trace per request. Requests during an outage are answered 503 with Retry-After (server/http/serviceUnavailable.server.ts).
import { AppError } from "../errors.ts";

const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "TlsConnectionError", "TooManyConnections", "SocketTimeout", "DatabaseDoesNotExist"]);
const UNREACHABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNREACHABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN"]);
// PostgreSQL SQLSTATEs: connection exceptions (08xxx), admin shutdown / cannot connect now (57P0x), too many connections.
const UNREACHABLE_SQLSTATE = /^(08\d{3}|57P0[1-3]|53300)$/;
const UNREACHABLE_MESSAGE = /Connection terminated|connection error|timeout exceeded when trying to connect|Can't reach database server|server (has )?closed the connection|Query read timeout/i;

/** True when `error` (or any error it wraps) says the database cannot be reached, as opposed to a bad query. */
export function isDatabaseUnreachable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 6) return false;
  const e = error as { code?: unknown; kind?: unknown; cause?: unknown; message?: unknown; originalCode?: unknown };
  if (typeof e.kind === "string" && UNREACHABLE_KINDS.has(e.kind)) return true;
  for (const code of [e.code, e.originalCode]) {
    if (typeof code !== "string") continue;
    if (UNREACHABLE_PRISMA_CODES.has(code) || UNREACHABLE_NODE_CODES.has(code) || UNREACHABLE_SQLSTATE.test(code)) return true;
  }
  if (typeof e.message === "string" && UNREACHABLE_MESSAGE.test(e.message)) return true;
  return isDatabaseUnreachable(e.cause, depth + 1);
}

export class DatabaseOutage {
  private since: number | null = null;
  private probeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly probe: () => Promise<unknown>,
    readonly retryAfterSeconds: number,
    /** The outage at error level; its end, good news, at info. */
    private readonly log: (line: string, level: "error" | "info") => void,
  ) {}

  get down(): boolean {
    return this.since !== null;
  }

  /**
   * If `error` means the database is unreachable, notes the outage (logging only its first error) and
   * returns the 503 AppError to answer with; otherwise returns null and the caller handles `error` as before.
   */
  classify(error: unknown): AppError | null {
    if (!isDatabaseUnreachable(error)) return null;
    if (this.since === null) {
      this.since = Date.now();
      this.log(`database unavailable: ${shortReason(error)}; answering 503 until it is back`, "error");
      this.probeTimer = setInterval(() => void this.check(), Math.min(this.retryAfterSeconds, 5) * 1000);
      this.probeTimer.unref();
    }
    return new AppError("SERVICE_UNAVAILABLE", "error.databaseUnavailable", "The database cannot be reached at the moment; try again in a few seconds", undefined, this.retryAfterSeconds);
  }

  private async check(): Promise<void> {
    try {
      await this.probe();
    } catch {
      return;
    }
    if (this.since === null) return;
    this.log(`database available again after ${((Date.now() - this.since) / 1000).toFixed(1)} s`, "info");
    this.since = null;
    this.stop();
  }

  stop(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
  }
}

/** The first line of the innermost message, for the log (never sent to clients). */
function shortReason(error: unknown): string {
  let current = error as { message?: unknown; cause?: unknown; code?: unknown } | undefined;
  let reason = "unknown error";
  for (let i = 0; current && i < 6; i++) {
    if (typeof current.message === "string" && current.message) reason = `${current.message.split("\n")[0]}${typeof current.code === "string" ? ` (${current.code})` : ""}`;
    current = current.cause as typeof current;
  }
  return reason;
}
