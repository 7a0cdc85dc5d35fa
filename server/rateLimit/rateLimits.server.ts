// Every counted limit (logins, sign-ups, predictions) in one place, on rate-limiter-flexible: counted in
// PostgreSQL when DATABASE_URL is set (instances share the counts), in memory on PGlite (one process).
// A limit is always counted before it is checked (consume = reserve), so parallel or batched calls
// cannot all pass a check that none of them has counted yet.
import type pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config.server.ts";
import { AppError } from "../errors.ts";

export const RATE_LIMIT_TABLE = "rate_limits";

type LimitSpec = { points: number; durationSeconds: number; messageKey: string; message: (minutes: number, seconds: number) => string };

const minutes = (n: number) => `${n} minute(s)`;

export function limitSpecs(config: Config) {
  const failureWindow = config.LOGIN_FAILURE_WINDOW_MINUTES * 60;
  const tooManyLogins = (m: number) => `Too many failed logins; try again in ${minutes(m)}`;
  return {
    loginFailuresPerIp: { points: config.LOGIN_MAX_FAILURES_PER_IP, durationSeconds: failureWindow, messageKey: "auth.tooManyAttempts", message: tooManyLogins },
    /** Keyed by account and client address: a guesser elsewhere does not lock the owner out. */
    loginFailuresPerAccount: { points: config.LOGIN_MAX_FAILURES_PER_ACCOUNT, durationSeconds: failureWindow, messageKey: "auth.tooManyAttempts", message: tooManyLogins },
    /** Guesses at one account from many addresses; the owner's known addresses still get their password checked. */
    loginFailuresPerAccountAllIps: { points: config.LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_IPS, durationSeconds: failureWindow, messageKey: "auth.tooManyAttempts", message: tooManyLogins },
    /** Marks (account, address) pairs that logged in successfully, for LOGIN_KNOWN_ADDRESS_DAYS. */
    knownLoginAddresses: { points: 1, durationSeconds: config.LOGIN_KNOWN_ADDRESS_DAYS * 86_400, messageKey: "auth.tooManyAttempts", message: tooManyLogins },
    loginRequestsPerIp: { points: config.LOGIN_REQUESTS_PER_IP_PER_MINUTE, durationSeconds: 60, messageKey: "auth.tooManyAttempts", message: tooManyLogins },
    registrationsPerIp: {
      points: config.REGISTRATIONS_PER_IP_PER_HOUR, durationSeconds: 3600, messageKey: "auth.tooManyRegistrations",
      message: (m) => `Too many new accounts from your network (IP address); try again in ${minutes(m)}`,
    },
    anonymousPredictionsPerIp: {
      points: config.ANONYMOUS_PREDICTIONS_PER_MINUTE, durationSeconds: 60, messageKey: "predict.anonymousLimit",
      message: (_m, s) => `Too many tries without an account; wait ${s} s or log in`,
    },
    predictionsPerAccount: {
      points: config.PREDICTIONS_PER_MINUTE_PER_ACCOUNT, durationSeconds: 60, messageKey: "error.tooManyRequests",
      message: (_m, s) => `Too many predictions for this account; wait ${s} s`,
    },
    predictionsPerIp: {
      points: config.PREDICTIONS_PER_MINUTE_PER_IP, durationSeconds: 60, messageKey: "error.tooManyRequests",
      message: (_m, s) => `Too many predictions from your network (IP address); wait ${s} s`,
    },
  } satisfies Record<string, LimitSpec>;
}

export type LimitName = keyof ReturnType<typeof limitSpecs>;

/** What the RateLimit-* headers report: the limit a request came closest to. */
export type LimitState = { limit: number; remaining: number; resetSeconds: number };

type Limiter = RateLimiterMemory | RateLimiterPostgres;

export class RateLimits {
  private readonly limiters: Record<LimitName, Limiter>;
  private readonly specs: Record<LimitName, LimitSpec>;

  constructor(config: Config, pool: pg.Pool | null) {
    this.specs = limitSpecs(config);
    this.limiters = Object.fromEntries(
      Object.entries(this.specs).map(([name, spec]) => {
        const options = { keyPrefix: name, points: spec.points, duration: spec.durationSeconds };
        // tableCreated: the table comes from our migrations (prisma/schema.prisma's RateLimit), not from the library.
        const limiter = pool
          ? new RateLimiterPostgres({ ...options, storeClient: pool, storeType: "pool", tableName: RATE_LIMIT_TABLE, tableCreated: true, clearExpiredByTimeout: false })
          : new RateLimiterMemory(options);
        return [name, limiter];
      }),
    ) as Record<LimitName, Limiter>;
  }

  /**
   * Counts `points` against `key`, then refuses (429 AppError with Retry-After) if that went over the limit.
   * Store failures (database down) are rethrown as they are.
   */
  async consume(name: LimitName, key: string, points = 1, report?: (state: LimitState) => void): Promise<LimitState> {
    const spec = this.specs[name];
    try {
      const res = await this.limiters[name].consume(key, points);
      const state = toState(spec, res);
      report?.(state);
      return state;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const state = toState(spec, error);
      report?.(state);
      const seconds = Math.max(1, state.resetSeconds);
      throw new AppError("TOO_MANY_REQUESTS", spec.messageKey, spec.message(Math.ceil(seconds / 60), seconds), undefined, seconds);
    }
  }

  /** Gives points back (a successful login returns its reservation on the per-IP failure count). */
  async refund(name: LimitName, key: string, points = 1): Promise<void> {
    await this.limiters[name].reward(key, points);
  }

  /** True when `key` has points counted against `name` now (a marker such as a known login address). */
  async has(name: LimitName, key: string): Promise<boolean> {
    const res = await this.limiters[name].get(key);
    return res !== null && res.consumedPoints > 0;
  }

  /** Records `key` under `name` for its window without refusing anything (a marker). */
  async mark(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].set(key, 1, this.specs[name].durationSeconds);
  }

  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].delete(key);
  }
}

function toState(spec: LimitSpec, res: RateLimiterRes): LimitState {
  return { limit: spec.points, remaining: Math.max(0, res.remainingPoints), resetSeconds: Math.ceil(res.msBeforeNext / 1000) };
}
