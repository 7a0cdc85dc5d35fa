// SqlExecutor implementations over a `pg` pool and over PGlite.
import type { PGlite, Transaction } from "@electric-sql/pglite";
import type pg from "pg";
import type { SqlExecutor } from "./migrate.server.ts";

/** An executor pinned to one pooled connection; call release() when done with it. */
export type PinnedSqlExecutor = SqlExecutor & { release(): void };

export function pgExecutor(pool: pg.Pool): PinnedSqlExecutor {
  // Advisory locks belong to a connection, so the whole executor pins one client.
  let pinned: pg.PoolClient | null = null;
  const client = async () => (pinned ??= await pool.connect());
  const onClient = (c: pg.PoolClient | pg.Pool): SqlExecutor => ({
    shared: true,
    async query(sql, params) {
      return (await c.query(sql, params as unknown[])).rows;
    },
    async exec(sql) {
      await c.query(sql);
    },
    async transaction(fn) {
      await c.query("BEGIN");
      try {
        const result = await fn(onClient(c));
        await c.query("COMMIT");
        return result;
      } catch (error) {
        await c.query("ROLLBACK");
        throw error;
      }
    },
  });
  return {
    shared: true,
    async query(sql, params) {
      return onClient(await client()).query(sql, params);
    },
    async exec(sql) {
      return onClient(await client()).exec(sql);
    },
    async transaction(fn) {
      return onClient(await client()).transaction(fn);
    },
    release() {
      pinned?.release();
      pinned = null;
    },
  };
}

export function pgliteExecutor(db: PGlite | Transaction): SqlExecutor {
  return {
    shared: false,
    async query(sql, params) {
      return (await db.query(sql, params as unknown[])).rows as never[];
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async transaction(fn) {
      if (!("transaction" in db)) return fn(pgliteExecutor(db));
      return (db as PGlite).transaction((tx) => fn(pgliteExecutor(tx)));
    },
  };
}
