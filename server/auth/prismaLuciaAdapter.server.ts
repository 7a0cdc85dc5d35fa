// Lucia v3 adapter on our Prisma 7 client (the published Prisma adapter only supports Prisma 4-5).
import type { Adapter, DatabaseSession, DatabaseUser } from "lucia";
import type { PrismaClient } from "../db/generated/client.ts";

export class PrismaLuciaAdapter implements Adapter {
  constructor(private readonly prisma: PrismaClient) {}

  async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const row = await this.prisma.session.findUnique({ where: { id: sessionId }, include: { user: true } });
    if (!row) return [null, null];
    return [
      { id: row.id, userId: row.userId, expiresAt: row.expiresAt, attributes: { kind: row.kind } },
      { id: row.user.id, attributes: { email: row.user.email, locale: row.user.locale } },
    ];
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    const rows = await this.prisma.session.findMany({ where: { userId } });
    return rows.map((row) => ({ id: row.id, userId: row.userId, expiresAt: row.expiresAt, attributes: { kind: row.kind } }));
  }

  async setSession(session: DatabaseSession): Promise<void> {
    const attributes = session.attributes as { kind?: string };
    await this.prisma.session.create({
      data: { id: session.id, userId: session.userId, expiresAt: session.expiresAt, kind: attributes.kind ?? "cookie" },
    });
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    await this.prisma.session.updateMany({ where: { id: sessionId }, data: { expiresAt } });
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.prisma.session.deleteMany({ where: { id: sessionId } });
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.prisma.session.deleteMany({ where: { userId } });
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.prisma.session.deleteMany({ where: { expiresAt: { lte: new Date() } } });
  }
}
