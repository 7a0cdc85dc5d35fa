// Accounts and sessions: register, log in, log out, resolve a request's user. Lucia v3 runs the session
// lifecycle (expiry, sliding renewal, invalidation); our token scheme keeps only hashes in the database.
import { Lucia, TimeSpan } from "lucia";
import { randomUUID } from "node:crypto";
import { z } from "zod/v4";
import { wrongType } from "../validation.ts";
import type { PrismaClient } from "../db/generated/client.ts";
import { AppError } from "../errors.ts";
import type { LimitState, RateLimits } from "../rateLimit/rateLimits.server.ts";
import { checkNewPassword, MAX_PASSWORD_LENGTH } from "./passwordPolicy.server.ts";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./passwords.server.ts";
import type { ApiTokenService } from "./apiTokens.server.ts";
import { PrismaLuciaAdapter } from "./prismaLuciaAdapter.server.ts";
import { generateSessionToken, looksLikeSessionToken, sessionIdFromToken } from "./sessionTokens.server.ts";

export const SESSION_COOKIE_NAME = "camxuc_session";
export { MAX_PASSWORD_LENGTH };

export type SessionKind = "cookie" | "bearer";
export type AuthUser = { id: string; email: string; locale: string };
/** How a request authenticated: a login session (cookie or bearer) or a personal API token (`id` is the token's id). */
export type AuthKind = SessionKind | "apiToken";
export type AuthSession = { id: string; expiresAt: Date | null; kind: AuthKind; fresh: boolean };
export type IssuedSession = { token: string; expiresAt: Date };

export type AuthOptions = {
  sessionTtlHours: number;
  minPasswordLength: number;
  minPasswordDistinctChars: number;
};

/** Receives the state of each rate limit a call counted against (for the RateLimit-* headers). */
export type LimitReport = (state: LimitState) => void;

declare module "lucia" {
  interface Register {
    Lucia: Lucia<{ kind: string }, { email: string; locale: string }>;
    DatabaseSessionAttributes: { kind: string };
    DatabaseUserAttributes: { email: string; locale: string };
  }
}

/**
 * An Authorization header split into its scheme: `bearer` holds the token of a Bearer header (scheme
 * case-insensitive, RFC 7235); any other scheme (Basic, Token ...) gives `bearer: null`. No header: null.
 */
export function readAuthorization(header: string | null | undefined): { scheme: string; bearer: string | null } | null {
  if (!header) return null;
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+(\S+))?\s*$/.exec(header.trim());
  const scheme = (match?.[1] ?? header.trim().split(/\s/)[0] ?? "").toLowerCase();
  return { scheme, bearer: scheme === "bearer" && match?.[2] ? match[2] : null };
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

  constructor(
    private readonly prisma: PrismaClient,
    private readonly limits: RateLimits,
    private readonly options: AuthOptions,
    private readonly apiTokens: ApiTokenService,
  ) {
    this.lucia = new Lucia(new PrismaLuciaAdapter(prisma), {
      sessionExpiresIn: new TimeSpan(options.sessionTtlHours, "h"),
      sessionCookie: { name: SESSION_COOKIE_NAME },
      getSessionAttributes: (attributes) => ({ kind: attributes.kind }),
      getUserAttributes: (attributes) => ({ email: attributes.email, locale: attributes.locale }),
    });
  }

  get sessionTtlSeconds(): number {
    return this.options.sessionTtlHours * 3600;
  }

  /** The policy for a new password (length, not common, not the e-mail); throws an AppError naming the field. */
  checkPassword(password: string, email: string, field = "password"): void {
    checkNewPassword(password, normalizeEmail(email), this.options.minPasswordLength, field, this.options.minPasswordDistinctChars);
  }

  /** New accounts per client IP are limited: each costs an argon2 hash, and mass sign-ups are abuse. */
  async register(email: string, password: string, locale: string, ip: string, report?: LimitReport): Promise<AuthUser> {
    const normalized = normalizeEmail(email);
    this.checkPassword(password, normalized);
    // Counted before the address is looked up: an answer saying it already has an account costs a sign-up too,
    // so the sign-up form cannot be used to test which addresses have accounts without limit.
    await this.limits.consume("registrationsPerIp", ip, 1, report);
    const existing = await this.prisma.user.findUnique({ where: { email: normalized } });
    if (existing) throw new AppError("CONFLICT", "auth.emailTaken", "An account with this email already exists; log in instead", "email");
    try {
      const passwordHash = await hashPassword(password);
      const user = await this.prisma.user.create({ data: { id: randomUUID(), email: normalized, passwordHash, locale } });
      return { id: user.id, email: user.email, locale: user.locale };
    } catch (error) {
      // Two registrations racing for one address: the unique index decides.
      if ((error as { code?: string }).code === "P2002") {
        throw new AppError("CONFLICT", "auth.emailTaken", "An account with this email already exists; log in instead", "email");
      }
      await this.limits.refund("registrationsPerIp", ip).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Verifies the credentials; on success returns the user. Every attempt is counted as a failure before the
   * password is checked (so parallel or batched attempts cannot all pass the check); success gives it back.
   */
  async verifyCredentials(email: string, password: string, ip: string, report?: LimitReport): Promise<AuthUser> {
    const normalized = normalizeEmail(email);
    await this.limits.consume("loginRequestsPerIp", ip, 1, report);
    await this.limits.consume("loginFailuresPerIp", ip, 1, report);
    const accountAtAddress = `${normalized} ${ip}`;
    await this.limits.consume("loginFailuresPerAccount", accountAtAddress, 1, report);
    try {
      await this.limits.consume("loginFailuresPerAccountAllIps", normalized, 1, report);
    } catch (error) {
      // Many addresses guessing at one account: only where the owner logged in before is the password still checked.
      if (!(error instanceof AppError) || !(await this.limits.has("knownLoginAddresses", accountAtAddress))) throw error;
    }
    const user = password.length <= MAX_PASSWORD_LENGTH ? await this.prisma.user.findUnique({ where: { email: normalized } }) : null;
    const ok = user ? await verifyPassword(user.passwordHash, password) : await verifyPassword(await dummyPasswordHash(), password).then(() => false);
    if (!user || !ok) throw new AppError("UNAUTHORIZED", "auth.invalidCredentials", "Email or password is incorrect");
    await Promise.all([
      this.limits.refund("loginFailuresPerIp", ip),
      this.limits.reset("loginFailuresPerAccount", accountAtAddress),
      this.limits.refund("loginFailuresPerAccountAllIps", normalized),
      this.limits.mark("knownLoginAddresses", accountAtAddress),
    ]);
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

  /** The token of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235). */
  readBearerToken(authorizationHeader: string | null | undefined): string | null {
    return readAuthorization(authorizationHeader)?.bearer ?? null;
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.lucia.deleteExpiredSessions();
  }
}
