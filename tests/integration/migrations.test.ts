// The migrations are the schema: no drift, idempotent, and applied once when instances start together.
import { readFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, openDatabase, pgPoolConfig } from "../../server/db/client.server.ts";
import { applyMigrations, MigrationError, readMigrations, type SqlExecutor } from "../../server/db/migrate.server.ts";
import { diffMigrationsToSchema } from "../../server/db/schemaEngine.server.ts";
import { pgExecutor, pgliteExecutor } from "../../server/db/sqlExecutors.server.ts";
import { foldForSearch } from "../../server/text/searchFold.ts";
import { createScratchDatabase } from "../support/testServer.ts";

const migrations = readMigrations(MIGRATIONS_DIR);

const SEARCH_TEXT_MIGRATION = "20261127091704_history_search_text";

/** Every Vietnamese vowel with every tone, both cases, plus đ/Đ, decomposed input, capitals and other scripts. */
function textsBeforeSearchText(): string[] {
  const vowels = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY";
  const tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"];
  const letters = [...vowels].flatMap((v) => tones.map((tone) => (v + tone).normalize("NFC"))).join(" ");
  return [letters, "Đường đi ĐẸP", "Giao hàng nhanh".normalize("NFD"), "HÀNG KÉM CHẤT LƯỢNG 😡 :(", "100% ok_ne", "tab\tand\nnewline"];
}

/** Applies the migrations before search_text, stores predictions, then the rest: the SQL backfill must equal foldForSearch. */
async function expectSearchTextBackfill(db: SqlExecutor) {
  await applyMigrations(db, migrations.filter((m) => m.name < SEARCH_TEXT_MIGRATION));
  await db.query(`INSERT INTO users (id, email, password_hash) VALUES ('u1', 'u1@example.com', 'x')`);
  for (const text of textsBeforeSearchText()) {
    await db.query(
      `INSERT INTO predictions (id, user_id, text, label, confidence, probabilities, token_count, model_id, model_version, source)
       VALUES (gen_random_uuid()::text, 'u1', $1, 'neutral', 0.5, '{}', 1, 'm', '0', 'single')`,
      [text],
    );
  }
  expect(await applyMigrations(db, migrations)).toContain(SEARCH_TEXT_MIGRATION);
  const rows = await db.query<{ text: string; search_text: string }>(`SELECT text, search_text FROM predictions`);
  expect(rows).toHaveLength(textsBeforeSearchText().length);
  for (const row of rows) expect(row.search_text).toBe(foldForSearch(row.text));
}

describe("migrations", () => {
  it("produce exactly the schema in prisma/schema.prisma (no drift)", async () => {
    const schema = readFileSync(path.join(MIGRATIONS_DIR, "..", "schema.prisma"), "utf8");
    expect(await diffMigrationsToSchema(migrations, schema)).toBe("");
  });

  it("the drift check notices a schema change", async () => {
    const schema = readFileSync(path.join(MIGRATIONS_DIR, "..", "schema.prisma"), "utf8").replace(
      "  locale       String       @default(\"vi\")",
      "  locale       String       @default(\"vi\")\n  nickname     String?",
    );
    expect(await diffMigrationsToSchema(migrations, schema)).toMatch(/ALTER TABLE "users" ADD COLUMN\s+"nickname" TEXT/);
  });

  it("are idempotent on PGlite and refuse an edited migration", async () => {
    const db = await PGlite.create();
    expect(await applyMigrations(pgliteExecutor(db), migrations)).toEqual(migrations.map((m) => m.name));
    expect(await applyMigrations(pgliteExecutor(db), migrations)).toEqual([]);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(applyMigrations(pgliteExecutor(db), edited)).rejects.toBeInstanceOf(MigrationError);
    await db.close();
  });

  it("fill search_text for predictions stored before it exactly as the server computes it (PGlite)", async () => {
    const db = await PGlite.create();
    await expectSearchTextBackfill(pgliteExecutor(db));
    await db.close();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("migrations on PostgreSQL", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it("are applied exactly once when several instances start at the same moment", async () => {
    const pools = Array.from({ length: 4 }, () => new pg.Pool(pgPoolConfig(scratch.url)));
    const executors = pools.map((pool) => pgExecutor(pool));
    const applied = await Promise.all(executors.map((e) => applyMigrations(e, migrations)));
    executors.forEach((e) => e.release());
    expect(applied.flat().sort()).toEqual(migrations.map((m) => m.name).sort());
    const rows = await pools[0]!.query(`SELECT migration_name FROM "_prisma_migrations"`);
    expect(rows.rowCount).toBe(migrations.length);
    await Promise.all(pools.map((p) => p.end()));
  });

  it("fill search_text for predictions stored before it exactly as the server computes it (PostgreSQL)", async () => {
    const other = await createScratchDatabase();
    const pool = new pg.Pool(pgPoolConfig(other.url));
    const executor = pgExecutor(pool);
    try {
      await expectSearchTextBackfill(executor);
    } finally {
      executor.release();
      await pool.end();
      await other.drop();
    }
  });

  it("openDatabase migrates a server database and reports ready; postgres:// is accepted", async () => {
    const db = await openDatabase({ databaseUrl: scratch.url.replace(/^postgresql:/, "postgres:"), dataDir: "/nonexistent", embeddedSharedBuffersMb: 16 });
    expect(db.kind).toBe("postgres");
    expect(await db.isReady()).toBe(true);
    expect(await db.prisma.user.count()).toBe(0);
    await db.close();
  });

  it("openDatabase waits out another instance's migration lock even where the database sets a short statement_timeout", async () => {
    const other = await createScratchDatabase();
    const holder = new pg.Client({ connectionString: other.url });
    await holder.connect();
    try {
      // an administrator's default for the app's role or database; the app's own pool sends its own value
      await holder.query(`ALTER DATABASE ${new URL(other.url).pathname.slice(1)} SET statement_timeout = '200ms'`);
      await holder.query("SELECT pg_advisory_lock(72001417)"); // the migration lock (migrate.server.ts), held 1 s
      const released = new Promise<void>((resolve) => setTimeout(() => void holder.query("SELECT pg_advisory_unlock(72001417)").then(() => resolve()), 1_000));
      const db = await openDatabase({ databaseUrl: other.url, dataDir: "/nonexistent", embeddedSharedBuffersMb: 16, timeouts: { connectSeconds: 5, querySeconds: 30 } });
      await released;
      expect(await db.isReady()).toBe(true);
      await db.close();
    } finally {
      await holder.end();
      await other.drop();
    }
  });
});
