// Opens the database: PostgreSQL through @prisma/adapter-pg when DATABASE_URL is set, otherwise an
// embedded PGlite database persisted under DATA_DIR. Migrations are applied before the client is returned.
import path from "node:path";
import { lockDataDir } from "./dataDirLock.server.ts";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import pg from "pg";
import { PrismaClient } from "./generated/client.ts";
import { applyMigrations, pendingMigrations, readMigrations } from "./migrate.server.ts";
import { pgExecutor, pgliteExecutor } from "./sqlExecutors.server.ts";
import { REPO_ROOT } from "../repoPaths.ts";
import { openEmbeddedPglite } from "./embeddedPglite.server.ts";

export const MIGRATIONS_DIR = path.join(REPO_ROOT, "prisma", "migrations");

export type Database = {
  prisma: PrismaClient;
  kind: "postgres" | "pglite";
  /** The PostgreSQL connection pool (null on PGlite), for stores that speak pg directly (rate limits). */
  pool: pg.Pool | null;
  /** Where the job queue (pg-boss) connects: the server's URL, or the embedded instance itself. */
  queueConnection: { url: string } | { pglite: PGlite };
  /** True when the database answers and every migration is applied. */
  isReady(): Promise<boolean>;
  /** PostgreSQL only: the connection pool's state, for /metrics. */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
};

export type DatabaseTimeouts = { connectSeconds: number; querySeconds: number };

/** How much longer than `statement_timeout` the client waits before it gives up on a query that no answer comes for. */
const CLIENT_WAIT_BEYOND_STATEMENT_SECONDS = 2;

/**
 * pg does not understand libpq's sslmode=require the way users expect; map it to an explicit ssl option. With
 * `timeouts`: PostgreSQL itself stops a statement that runs past `querySeconds` (statement_timeout, so a slow query or
 * a long lock wait does not keep running after its request got its 503), and a database that stops answering without
 * closing its connections (a hung host, a stalled network) fails requests a little later, as an outage (503), instead
 * of holding them for ever.
 */
export function pgPoolConfig(databaseUrl: string, timeouts?: DatabaseTimeouts): pg.PoolConfig {
  const url = new URL(databaseUrl.replace(/^postgres:\/\//, "postgresql://"));
  const sslmode = url.searchParams.get("sslmode");
  url.searchParams.delete("sslmode");
  const ssl =
    sslmode === "require" || sslmode === "prefer" ? { rejectUnauthorized: false }
    : sslmode === "verify-ca" || sslmode === "verify-full" ? { rejectUnauthorized: true }
    : undefined;
  const limits = timeouts
    ? {
      connectionTimeoutMillis: timeouts.connectSeconds * 1000,
      statement_timeout: timeouts.querySeconds * 1000,
      query_timeout: (timeouts.querySeconds + CLIENT_WAIT_BEYOND_STATEMENT_SECONDS) * 1000,
      keepAlive: true,
    }
    : {};
  return { connectionString: url.toString(), ssl, max: 10, ...limits };
}

export async function openDatabase(options: { databaseUrl?: string; dataDir: string; embeddedSharedBuffersMb: number; timeouts?: DatabaseTimeouts }): Promise<Database> {
  const migrations = readMigrations(MIGRATIONS_DIR);
  if (options.databaseUrl) {
    // Migrations on a connection of their own, without the query timeouts (also none a role or database setting may
    // give): an instance may wait on another's migration lock, and a migration on a large table may take minutes.
    const migrationPool = new pg.Pool({ ...pgPoolConfig(options.databaseUrl), max: 1 });
    migrationPool.on("connect", (client) => void client.query("SET statement_timeout = 0").catch(() => undefined));
    migrationPool.on("error", () => undefined);
    const executor = pgExecutor(migrationPool);
    try {
      await applyMigrations(executor, migrations);
    } finally {
      executor.release();
      await migrationPool.end().catch(() => undefined);
    }
    const pool = new pg.Pool(pgPoolConfig(options.databaseUrl, options.timeouts));
    // An idle connection the server drops (restart, failover, pg_terminate_backend) is emitted here; unheard, it
    // would crash the process. The pool opens a new one for the next query, and a real outage shows up there.
    pool.on("error", () => undefined);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      prisma,
      kind: "postgres",
      pool,
      queueConnection: { url: options.databaseUrl },
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      async isReady() {
        const readiness = pgExecutor(pool);
        try {
          return (await pendingMigrations(readiness, migrations)).length === 0;
        } catch {
          return false;
        } finally {
          readiness.release();
        }
      },
      async close() {
        await prisma.$disconnect();
        await pool.end().catch(() => undefined);
      },
    };
  }
  const unlock = lockDataDir(options.dataDir);
  let pglite: Awaited<ReturnType<typeof openEmbeddedPglite>>;
  try {
    pglite = await openEmbeddedPglite(path.join(options.dataDir, "pglite"), options.embeddedSharedBuffersMb);
    await applyMigrations(pgliteExecutor(pglite), migrations);
  } catch (error) {
    unlock();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: "pglite",
    pool: null,
    queueConnection: { pglite },
    async isReady() {
      try {
        return (await pendingMigrations(pgliteExecutor(pglite), migrations)).length === 0;
      } catch {
        return false;
      }
    },
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      unlock();
    },
  };
}
