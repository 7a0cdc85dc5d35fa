// Accounts and sessions: register, log in, log out, resolve a request's user. Lucia v3 runs the session
// lifecycle (expiry, sliding renewal, invalidation); our token scheme keeps only hashes in the database.
import { Lucia, TimeSpan } from "lucia";
import { randomUUID } from "node:crypto";
import { z } from "zod/v4";
import { wrongType } from "../validation.ts";
import type { PrismaClient } from "../db/generated/client.ts";
import { AppError } from "../errors.ts";
import { SlidingWindowCounter } from "../rateLimit/slidingWindowCounter.server.ts";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./passwords.server.ts";
import type { ApiTokenService } from "./apiTokens.server.ts";
import { PrismaLuciaAdapter } from "./prismaLuciaAdapter.server.ts";
import { generateSessionToken, looksLikeSessionToken, sessionIdFromToken } from "./sessionTokens.server.ts";

export const SESSION_COOKIE_NAME = "camxuc_session";
export const MAX_PASSWORD_LENGTH = 256;

export type SessionKind = "cookie" | "bearer";
export type AuthUser = { id: string; email: string; locale: string };
/** How a request authenticated: a login session (cookie or bearer) or a personal API token (`id` is the token's id). */
export type AuthKind = SessionKind | "apiToken";
export type AuthSession = { id: string; expiresAt: Date | null; kind: AuthKind; fresh: boolean };
export type IssuedSession = { token: string; expiresAt: Date };

export type AuthOptions = {
  sessionTtlHours: number;
  minPasswordLength: number;
  maxFailuresPerIp: number;
  maxFailuresPerAccount: number;
  failureWindowMinutes: number;
  registrationsPerIpPerHour: number;
};

declare module "lucia" {
  interface Register {
    Lucia: Lucia<{ kind: string }, { email: string; locale: string }>;
    DatabaseSessionAttributes: { kind: string };
    DatabaseUserAttributes: { email: string; locale: string };
  }
}

/** Lower-cases and trims; e-mail local parts are case-insensitive in practice. */
export function normalizeEmail(email: string): string {
  return email.normalize("NFC").trim().toLowerCase();
}

export const EmailSchema = z
  .string(wrongType("Email must be text"))
  .transform(normalizeEmail)
  .pipe(z.string().min(1, "Enter your email").max(254, "Email is too long").email("Enter a valid email address"));

export class AuthService {
  private readonly lucia: Lucia<{ kind: string }, { email: string; locale: string }>;
  private readonly ipFailures: SlidingWindowCounter;
  private readonly accountFailures: SlidingWindowCounter;
  /** New accounts per client IP: each costs an argon2 hash, and mass sign-ups are abuse. */
  private readonly ipRegistrations: SlidingWindowCounter;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: AuthOptions,
    private readonly apiTokens: ApiTokenService,
  ) {
    this.lucia = new Lucia(new PrismaLuciaAdapter(prisma), {
      sessionExpiresIn: new TimeSpan(options.sessionTtlHours, "h"),
      sessionCookie: { name: SESSION_COOKIE_NAME },
      getSessionAttributes: (attributes) => ({ kind: attributes.kind }),
      getUserAttributes: (attributes) => ({ email: attributes.email, locale: attributes.locale }),
    });
    const windowMs = options.failureWindowMinutes * 60_000;
    this.ipFailures = new SlidingWindowCounter(options.maxFailuresPerIp, windowMs);
    this.accountFailures = new SlidingWindowCounter(options.maxFailuresPerAccount, windowMs);
    this.ipRegistrations = new SlidingWindowCounter(options.registrationsPerIpPerHour, 3_600_000);
  }

  get sessionTtlSeconds(): number {
    return this.options.sessionTtlHours * 3600;
  }

  /** The policy for a new password (length limits); throws an AppError naming the field. */
  checkPassword(password: string, field = "password"): void {
    if (password.length < this.options.minPasswordLength) {
      throw new AppError("BAD_REQUEST", "auth.passwordTooShort", `Password must be at least ${this.options.minPasswordLength} characters`, field);
    }
    if (password.length > MAX_PASSWORD_LENGTH) {
      throw new AppError("BAD_REQUEST", "auth.passwordTooLong", `Password must be at most ${MAX_PASSWORD_LENGTH} characters`, field);
    }
  }

  async register(email: string, password: string, locale: string, ip: string): Promise<AuthUser> {
    const normalized = normalizeEmail(email);
    this.checkPassword(password);
    const ipKey = `ip:${ip}`;
    const wait = this.ipRegistrations.blockedForSeconds(ipKey);
    if (wait > 0) {
      throw new AppError("TOO_MANY_REQUESTS", "auth.tooManyRegistrations", `Too many new accounts from your network (IP address); try again in ${Math.ceil(wait / 60)} minute(s)`, undefined, wait);
    }
    const existing = await this.prisma.user.findUnique({ where: { email: normalized } });
    if (existing) throw new AppError("CONFLICT", "auth.emailTaken", "An account with this email already exists; log in instead", "email");
    this.ipRegistrations.record(ipKey);
    const passwordHash = await hashPassword(password);
    try {
      const user = await this.prisma.user.create({ data: { id: randomUUID(), email: normalized, passwordHash, locale } });
      return { id: user.id, email: user.email, locale: user.locale };
    } catch (error) {
      // Two registrations racing for one address: the unique index decides.
      if ((error as { code?: string }).code === "P2002") {
        throw new AppError("CONFLICT", "auth.emailTaken", "An account with this email already exists; log in instead", "email");
      }
      throw error;
    }
  }

  /** Verifies the credentials; on success returns the user. Failures share one message and are rate-limited. */
  async verifyCredentials(email: string, password: string, ip: string): Promise<AuthUser> {
    const normalized = normalizeEmail(email);
    const accountKey = `account:${normalized}`;
    const ipKey = `ip:${ip}`;
    const wait = Math.max(this.ipFailures.blockedForSeconds(ipKey), this.accountFailures.blockedForSeconds(accountKey));
    if (wait > 0) {
      throw new AppError("TOO_MANY_REQUESTS", "auth.tooManyAttempts", `Too many failed logins; try again in ${Math.ceil(wait / 60)} minute(s)`, undefined, wait);
    }
    const user = password.length <= MAX_PASSWORD_LENGTH ? await this.prisma.user.findUnique({ where: { email: normalized } }) : null;
    const ok = user ? await verifyPassword(user.passwordHash, password) : await verifyPassword(await dummyPasswordHash(), password).then(() => false);
    if (!user || !ok) {
      this.ipFailures.record(ipKey);
      this.accountFailures.record(accountKey);
      throw new AppError("UNAUTHORIZED", "auth.invalidCredentials", "Email or password is incorrect");
    }
    this.accountFailures.reset(accountKey);
    return { id: user.id, email: user.email, locale: user.locale };
  }

  async createSession(userId: string, kind: SessionKind): Promise<IssuedSession> {
    const token = generateSessionToken();
    const session = await this.lucia.createSession(userId, { kind }, { sessionId: sessionIdFromToken(token) });
    return { token, expiresAt: session.expiresAt };
  }

  /**
   * Resolves a login token, or from the Authorization header a personal API token too (never from a
   * cookie), to its session and user (null: unknown, expired or revoked), renewing a login session's expiry
   * when half of it has passed.
   */
  async validateToken(token: string, from: "bearer" | "cookie"): Promise<{ user: AuthUser; session: AuthSession } | null> {
    const apiToken = from === "bearer" ? await this.apiTokens.validate(token) : null;
    if (apiToken) return { user: apiToken.user, session: { id: apiToken.tokenId, expiresAt: apiToken.expiresAt, kind: "apiToken", fresh: false } };
    if (!looksLikeSessionToken(token)) return null;
    const { session, user } = await this.lucia.validateSession(sessionIdFromToken(token));
    if (!session || !user) return null;
    return {
      user: { id: user.id, email: user.email, locale: user.locale },
      session: { id: session.id, expiresAt: session.expiresAt, kind: session.kind === "bearer" ? "bearer" : "cookie", fresh: session.fresh },
    };
  }

  async invalidateSession(sessionId: string): Promise<void> {
    await this.lucia.invalidateSession(sessionId);
  }

  readBearerToken(authorizationHeader: string | null | undefined): string | null {
    return authorizationHeader ? this.lucia.readBearerToken(authorizationHeader) : null;
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.lucia.deleteExpiredSessions();
  }
}
