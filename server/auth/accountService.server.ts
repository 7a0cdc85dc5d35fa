// The signed-in user's own account: change the password, sign out everywhere, choose the language, delete it all.
import type { PrismaClient } from "../db/generated/client.ts";
import { AppError } from "../errors.ts";
import type { Lang } from "#common/i18n/messages.ts";
import type { ApiTokenService } from "./apiTokens.server.ts";
import type { AuthService, AuthSession, AuthUser } from "./authService.server.ts";
import { hashPassword } from "./passwords.server.ts";

export class AccountService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auth: AuthService,
    private readonly apiTokens: ApiTokenService,
  ) {}

  /** Checks the password the person typed again (rate-limited like logins); a wrong one is 403 on that field. */
  private async confirmPassword(user: AuthUser, password: string, ip: string, field: string): Promise<void> {
    try {
      await this.auth.verifyCredentials(user.email, password, ip);
    } catch (error) {
      if (error instanceof AppError && error.code === "UNAUTHORIZED") {
        throw new AppError("FORBIDDEN", "account.wrongPassword", "The password is not correct", field);
      }
      throw error;
    }
  }

  /**
   * Sets a new password and ends every other way in: other login sessions and all API tokens. The session
   * the change was made from stays, unless it is itself an API token.
   */
  async changePassword(user: AuthUser, session: AuthSession, currentPassword: string, newPassword: string, ip: string): Promise<void> {
    this.auth.checkPassword(newPassword, user.email, "newPassword");
    await this.confirmPassword(user, currentPassword, ip, "currentPassword");
    const passwordHash = await hashPassword(newPassword);
    const keep = session.kind === "apiToken" ? undefined : session.id;
    await this.prisma.$transaction([
      this.prisma.user.update({ where: { id: user.id }, data: { passwordHash } }),
      this.prisma.session.deleteMany({ where: { userId: user.id, ...(keep ? { id: { not: keep } } : {}) } }),
      this.prisma.apiToken.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: new Date() } }),
    ]);
  }

  /**
   * Ends every login session (this one too) and revokes every API token. From an API token the password is
   * asked for, as for a password change: a leaked token alone must not be able to lock the owner out.
   */
  async signOutEverywhere(user: AuthUser, session: AuthSession, password: string | undefined, ip: string): Promise<void> {
    if (session.kind === "apiToken") {
      if (!password) throw new AppError("BAD_REQUEST", "account.passwordRequired", "Signing out everywhere with an API token needs the account's password (send {\"password\": ...})", "password");
      await this.confirmPassword(user, password, ip, "password");
    }
    await this.prisma.session.deleteMany({ where: { userId: user.id } });
    await this.apiTokens.revokeAll(user.id);
  }

  async setLanguage(userId: string, locale: Lang): Promise<void> {
    await this.prisma.user.update({ where: { id: userId }, data: { locale } });
  }

  /** Deletes the user and everything the user owns. */
  async deleteAccount(user: AuthUser, password: string, ip: string): Promise<void> {
    await this.confirmPassword(user, password, ip, "password");
    await deleteUserAndRows(this.prisma, user.id);
  }
}

/** Predictions deleted per statement when an account goes (0.5 s per ~200,000 predictions and rows measured on PostgreSQL). */
const PREDICTIONS_PER_DELETE = 20_000;

/**
 * Deletes a user and all the user owns in statements of bounded size: the predictions `perStatement` at a time, then
 * the batches one by one (each holds at most BATCH_MAX_ROWS rows), then the user with the rest (sessions, tokens) by
 * the foreign keys' cascade. One cascading DELETE of an account with millions of rows could outlast the statement
 * timeout (DATABASE_QUERY_TIMEOUT_SECONDS) and roll back whole on every try. Interrupted, it leaves the user and part
 * of the data, and a second try finishes it.
 */
export async function deleteUserAndRows(prisma: PrismaClient, userId: string, perStatement = PREDICTIONS_PER_DELETE): Promise<void> {
  let deleted: number;
  do {
    deleted = await prisma.$executeRaw`DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE user_id = ${userId} LIMIT ${perStatement})`;
  } while (deleted >= perStatement);
  for (const { id } of await prisma.batch.findMany({ where: { userId }, select: { id: true } })) await prisma.batch.deleteMany({ where: { id } });
  await prisma.user.delete({ where: { id: userId } });
}
