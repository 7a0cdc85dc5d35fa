// Personal API tokens: long-lived bearer tokens a user names, lists and revokes. Only a SHA-256 of the secret is stored.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../db/generated/client.ts";
import { AppError } from "../errors.ts";

/** The prefix tells a personal token from a login token (and helps secret scanners find leaked ones). */
export const API_TOKEN_PREFIX = "cxk_";
const API_TOKEN_PATTERN = /^cxk_[A-Za-z0-9_-]{43}$/;
/** Writing `lastUsedAt` on every request would turn each read into a write: once a minute is precise enough. */
const LAST_USED_PRECISION_MS = 60_000;

export type ApiTokenLimits = { maxPerUser: number; maxDays: number };

export type ApiTokenInfo = {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
};

export type ApiTokenOwner = { tokenId: string; expiresAt: Date | null; user: { id: string; email: string; locale: string } };

export function looksLikeApiToken(token: string): boolean {
  return API_TOKEN_PATTERN.test(token);
}

function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

type ApiTokenRow = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null };

function toInfo(row: ApiTokenRow): ApiTokenInfo {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export class ApiTokenService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly limits: ApiTokenLimits,
  ) {}

  /** Creates a token; the secret is in the answer and nowhere else, ever again. */
  async create(userId: string, name: string, expiresInDays: number | null): Promise<{ token: string; info: ApiTokenInfo }> {
    if (expiresInDays !== null && expiresInDays > this.limits.maxDays) {
      throw new AppError("BAD_REQUEST", "tokens.expiryTooLong", `expiresInDays ${expiresInDays} is too long: at most ${this.limits.maxDays} days`, "expiresInDays");
    }
    const active = await this.prisma.apiToken.count({ where: { userId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } });
    if (active >= this.limits.maxPerUser) {
      throw new AppError("CONFLICT", "tokens.tooMany", `You already have ${active} active tokens, the limit is ${this.limits.maxPerUser}: revoke one first`);
    }
    const token = API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const expiresAt = expiresInDays === null ? null : new Date(Date.now() + expiresInDays * 86_400_000);
    const row = await this.prisma.apiToken.create({ data: { userId, name, tokenHash: hashApiToken(token), expiresAt } });
    return { token, info: toInfo(row) };
  }

  /** The user's tokens, newest first, revoked and expired ones included (so the list explains why a script stopped working). */
  async list(userId: string): Promise<ApiTokenInfo[]> {
    const rows = await this.prisma.apiToken.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    return rows.map(toInfo);
  }

  /** Revokes one of the user's tokens; another user's token is "not found", never "forbidden". */
  async revoke(userId: string, id: string): Promise<ApiTokenInfo> {
    const row = await this.prisma.apiToken.findFirst({ where: { id, userId } });
    if (!row) throw new AppError("NOT_FOUND", "tokens.notFound", "No such token among yours", "id");
    if (row.revokedAt) return toInfo(row);
    return toInfo(await this.prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } }));
  }

  async revokeAll(userId: string): Promise<void> {
    await this.prisma.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /** Resolves a presented token to its owner; null when it is unknown, revoked or expired. */
  async validate(token: string): Promise<ApiTokenOwner | null> {
    if (!looksLikeApiToken(token)) return null;
    const row = await this.prisma.apiToken.findUnique({ where: { tokenHash: hashApiToken(token) }, include: { user: true } });
    const now = new Date();
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
      await this.prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
    }
    return { tokenId: row.id, expiresAt: row.expiresAt, user: { id: row.user.id, email: row.user.email, locale: row.user.locale } };
  }
}
