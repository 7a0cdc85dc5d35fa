// Applies prisma/migrations/*/migration.sql in order, recording them in Prisma's own `_prisma_migrations`
// table. Runs at every start on PGlite and PostgreSQL; on PostgreSQL an advisory lock makes concurrent
// starts of several instances apply each migration exactly once.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The few SQL calls the runner needs, so it works over `pg` and PGlite alike. */
export type SqlExecutor = {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a multi-statement script. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction on one connection. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** True when other processes may share the database (take the advisory lock). */
  shared: boolean;
};

export type MigrationFile = { name: string; sql: string; checksum: string };

export class MigrationError extends Error {}

// An arbitrary constant naming our lock in pg_advisory_lock's 64-bit key space.
const MIGRATION_LOCK_KEY = 72_001_417;

export function readMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations folder not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Applies pending migrations; returns the names applied now. Throws if history and files disagree. */
export async function applyMigrations(db: SqlExecutor, migrations: MigrationFile[]): Promise<string[]> {
  if (db.shared) await db.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
  try {
    await db.exec(CREATE_HISTORY_TABLE);
    const applied = await db.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );
    const byName = new Map(applied.map((row) => [row.migration_name, row]));
    for (const row of applied) {
      if (!row.finished_at) {
        throw new MigrationError(`migration ${row.migration_name} was started but never finished; repair the database, then mark it rolled back`);
      }
      if (!migrations.some((m) => m.name === row.migration_name)) {
        throw new MigrationError(`the database has migration ${row.migration_name}, which is not in prisma/migrations (is this an older version of the app?)`);
      }
    }
    const done: string[] = [];
    for (const migration of migrations) {
      const previous = byName.get(migration.name);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new MigrationError(`migration ${migration.name} was edited after it was applied (checksum differs); add a new migration instead`);
        }
        continue;
      }
      await db.transaction(async (tx) => {
        await tx.exec(migration.sql);
        await tx.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
      });
      done.push(migration.name);
    }
    return done;
  } finally {
    if (db.shared) await db.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
  }
}

/** Names of migrations in `migrations` that the database has not applied yet. */
export async function pendingMigrations(db: SqlExecutor, migrations: MigrationFile[]): Promise<string[]> {
  const exists = await db.query<{ found: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS found`);
  if (!exists[0]?.found) return migrations.map((m) => m.name);
  const applied = await db.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const names = new Set(applied.map((r) => r.migration_name));
  return migrations.filter((m) => !names.has(m.name)).map((m) => m.name);
}
