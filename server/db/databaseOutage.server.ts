// Tells a database that cannot be reached from every other error, and keeps the log to one line when an
// outage starts and one when it ends (a probe every few seconds notices the recovery), instead of a stack
// trace per request. Requests during an outage are answered 503 with Retry-After (server/http/errorAnswers.server.ts);
// so is a request whose statement the database stopped for running too long, which is no outage.
import { AppError } from "../errors.ts";

const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "TlsConnectionError", "TooManyConnections", "SocketTimeout", "DatabaseDoesNotExist"]);
const UNREACHABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const UNREACHABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN"]);
// PostgreSQL SQLSTATEs: connection exceptions (08xxx), admin shutdown / cannot connect now (57P0x), too many connections.
const UNREACHABLE_SQLSTATE = /^(08\d{3}|57P0[1-3]|53300)$/;
// query_canceled: statement_timeout (client.server.ts), or an administrator's pg_cancel_backend; either way that
// statement is gone and the database still answers.
const STATEMENT_TIMEOUT_SQLSTATE = "57014";
const UNREACHABLE_MESSAGE = /Connection terminated|connection error|timeout exceeded when trying to connect|Can't reach database server|server (has )?closed the connection|Query read timeout/i;

type ErrorFields = { code?: unknown; kind?: unknown; message?: unknown; originalCode?: unknown };

/**
 * True when `error` or any error it wraps passes `test`. Prisma wraps pg's errors in `cause`, or for model queries in
 * `meta.driverAdapterError` (whose cause holds pg's SQLSTATE).
 */
function anyCause(error: unknown, test: (e: ErrorFields) => boolean, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 6) return false;
  const e = error as ErrorFields & { cause?: unknown; meta?: { driverAdapterError?: unknown } };
  return test(e) || anyCause(e.cause, test, depth + 1) || anyCause(e.meta?.driverAdapterError, test, depth + 1);
}

/** True when `error` (or any error it wraps) says the database cannot be reached, as opposed to a bad query. */
export function isDatabaseUnreachable(error: unknown): boolean {
  return anyCause(error, (e) => {
    if (typeof e.kind === "string" && UNREACHABLE_KINDS.has(e.kind)) return true;
    for (const code of [e.code, e.originalCode]) {
      if (typeof code !== "string") continue;
      if (UNREACHABLE_PRISMA_CODES.has(code) || UNREACHABLE_NODE_CODES.has(code) || UNREACHABLE_SQLSTATE.test(code)) return true;
    }
    return typeof e.message === "string" && UNREACHABLE_MESSAGE.test(e.message);
  });
}

/** True when PostgreSQL cancelled the statement because it ran past `statement_timeout` (SQLSTATE 57014). */
export function isStatementTimeout(error: unknown): boolean {
  return anyCause(error, (e) =>
    e.code === STATEMENT_TIMEOUT_SQLSTATE || e.originalCode === STATEMENT_TIMEOUT_SQLSTATE
    // a raw query's error (P2010) carries the SQLSTATE in its message only, after these words (what follows may quote input)
    || (typeof e.message === "string" && e.message.includes(`Raw query failed. Code: \`${STATEMENT_TIMEOUT_SQLSTATE}\``)));
}

export class DatabaseOutage {
  private since: number | null = null;
  private probeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly probe: () => Promise<unknown>,
    readonly retryAfterSeconds: number,
    /** The outage at error level; its end, good news, at info; a query the database cancelled for its time at warn. */
    private readonly log: (line: string, level: "error" | "warn" | "info") => void,
  ) {}

  get down(): boolean {
    return this.since !== null;
  }

  /**
   * If `error` means the database is unreachable, notes the outage (logging only its first error) and
   * returns the 503 AppError to answer with; a statement the database cancelled for running too long is a 503 of
   * its own, logged, but no outage (the database answers; other requests go on). Otherwise returns null and the
   * caller handles `error` as before.
   */
  classify(error: unknown): AppError | null {
    if (isStatementTimeout(error)) {
      // Prisma's message says only which call failed; for a request, the access log's line comes next
      this.log("database query cancelled by statement_timeout (it ran past DATABASE_QUERY_TIMEOUT_SECONDS) or by an administrator", "warn");
      return new AppError("SERVICE_UNAVAILABLE", "error.databaseBusy", "The database took too long to answer this request and stopped it; try again in a few seconds", undefined, this.retryAfterSeconds);
    }
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
  type Wrapped = { message?: unknown; cause?: unknown; code?: unknown; meta?: { driverAdapterError?: unknown } };
  let current = error as Wrapped | undefined;
  let reason = "unknown error";
  for (let i = 0; current && i < 6; i++) {
    // Prisma's own message starts with an empty line; the innermost non-empty first line is the database's
    const first = typeof current.message === "string" ? current.message.trim().split("\n")[0] : "";
    if (first) reason = `${first}${typeof current.code === "string" ? ` (${current.code})` : ""}`;
    current = (current.cause ?? current.meta?.driverAdapterError) as Wrapped | undefined;
  }
  return reason;
}
