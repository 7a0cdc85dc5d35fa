// Starts the real server (real database, real model, real HTTP) for a test file, on a free port.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { loadConfig } from "../../server/config.server.ts";
import { readMigrations } from "../../server/db/migrate.server.ts";
import { startServer, type RunningServer } from "../../server/main.ts";
import type { Logger } from "../../server/observability/logger.server.ts";
import { REPO_ROOT } from "../../server/repoPaths.ts";

export type DatabaseKind = "pglite" | "postgres";

/** The embedded database always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const DATABASES: DatabaseKind[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/** Creates an empty database on the TEST_DATABASE_URL server; returns its URL and a function that drops it. */
export async function createScratchDatabase(base = process.env.TEST_DATABASE_URL): Promise<{ url: string; drop(): Promise<void> }> {
  if (!base) throw new Error("TEST_DATABASE_URL is not set: point it at a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/postgres");
  const name = `camxuc_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * A data folder for the embedded database, made once by a real server start (PGlite's initdb, migrations, pg-boss's
 * schema) and copied for each server: a server on a new folder started in 3.5–5.5 s on 2 cores, on a copy in 0.4 s.
 * Kept in the OS temp folder under a key of the migrations' checksums and the PGlite and pg-boss versions.
 * Tests of a new folder itself (embeddedPglite, migrations, dataDirLock, observability's first start) use an empty one.
 */
async function pgliteTemplate(): Promise<string> {
  const hash = createHash("sha256");
  for (const migration of readMigrations(path.join(REPO_ROOT, "prisma", "migrations"))) hash.update(`${migration.name}:${migration.checksum}\n`);
  for (const dependency of ["@electric-sql/pglite", "pg-boss"]) hash.update(readFileSync(path.join(REPO_ROOT, "node_modules", dependency, "package.json")));
  const template = path.join(os.tmpdir(), `camxuc-pglite-template-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(path.join(template, "pglite", "PG_VERSION"))) return template;
  const building = mkdtempSync(path.join(os.tmpdir(), "camxuc-pglite-building-"));
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", DATA_DIR: building, DATABASE_URL: "", LOG_LEVEL: "warn", MODEL_ENABLED: "false" });
  await (await startServer(config, { withUi: false })).stop();
  try {
    renameSync(building, template);
  } catch {
    // another test process built it first
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

/** A new data folder for an embedded-database server: a copy of the migrated template. */
export async function pgliteDataDir(): Promise<string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "camxuc-test-"));
  // the system's cp: fs.cpSync took 4 s for the template's ~1,000 files, cp 0.25 s
  execFileSync("cp", ["-R", `${await pgliteTemplate()}/.`, dataDir]);
  return dataDir;
}

export type TestServer = RunningServer & { dataDir: string; close(): Promise<void> };

export async function startTestServer(
  database: DatabaseKind,
  env: Record<string, string> = {},
  options: { withUi?: boolean; logger?: Logger } = {},
): Promise<TestServer> {
  const embedded = database === "pglite" && !env.DATABASE_URL;
  const dataDir = embedded ? await pgliteDataDir() : mkdtempSync(path.join(os.tmpdir(), "camxuc-test-"));
  const scratch = database === "postgres" ? await createScratchDatabase() : null;
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    ...env,
  });
  let running: RunningServer;
  try {
    running = await startServer(config, { withUi: options.withUi ?? false, logger: options.logger });
  } catch (error) {
    // a server that did not start leaves neither its scratch database nor its folder behind
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...running,
    dataDir,
    async close() {
      await running.stop();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON to a tRPC mutation over real HTTP. */
export async function trpcPost(baseUrl: string, procedure: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

/** GETs a tRPC query over real HTTP; `input` goes in the query string as tRPC expects. */
export async function trpcGet(baseUrl: string, procedure: string, headers: Record<string, string> = {}, input?: unknown) {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${baseUrl}/api/trpc/${procedure}${query}`, { headers });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}
