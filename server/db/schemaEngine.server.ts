// Prisma's schema engine (WebAssembly build) over an in-memory PGlite: computes migration SQL from the
// schema offline. Used by the migration-creating script and the drift test, never by the running app.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { applyMigrations, type MigrationFile } from "./migrate.server.ts";
import { pgliteExecutor } from "./sqlExecutors.server.ts";

type Engine = {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string | null }>;
};

type EngineModule = { SchemaEngine: { new: (o: unknown, log: (m: string) => void, adapter: object) => Promise<Engine> } };

// The wasm-bindgen glue holds one instance per process: instantiate it once.
let engineModule: Promise<EngineModule> | null = null;
function loadEngineModule(): Promise<EngineModule> {
  return (engineModule ??= instantiateEngine());
}

async function instantiateEngine(): Promise<EngineModule> {
  const require = createRequire(import.meta.url);
  const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const dir = path.dirname(bgPath);
  const bg = await import(pathToFileURL(bgPath).href);
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(dir, "schema_engine_bg.wasm")), {
    "./schema_engine_bg.js": bg,
  });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  return bg as EngineModule;
}

/**
 * SQL that takes a database with `migrations` applied to the state `schemaText` describes ("" when none).
 */
export async function diffMigrationsToSchema(migrations: MigrationFile[], schemaText: string): Promise<string> {
  const pglite = await PGlite.create();
  try {
    await applyMigrations(pgliteExecutor(pglite), migrations);
    const { SchemaEngine } = await loadEngineModule();
    const schemaFile = { path: "schema.prisma", content: schemaText };
    const engine = await SchemaEngine.new(
      { datamodels: [[schemaFile.path, schemaFile.content]] },
      () => undefined,
      bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(pglite)),
    );
    const result = await engine.diff({
      from: { tag: "schemaDatasource", files: [schemaFile], configDir: process.cwd() },
      to: { tag: "schemaDatamodel", files: [schemaFile] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const script = result.stdout ?? "";
    return /^\s*(-- This is an empty migration\.)?\s*$/.test(script) ? "" : script;
  } finally {
    await pglite.close();
  }
}
