// Creates prisma/migrations/<timestamp>_<name>/migration.sql from the difference between the existing
// migrations and prisma/schema.prisma, offline (Prisma's schema engine as WebAssembly over PGlite).
// Usage: npm run db:migration -- <name>
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MIGRATIONS_DIR } from "../server/db/client.server.ts";
import { readMigrations } from "../server/db/migrate.server.ts";
import { diffMigrationsToSchema } from "../server/db/schemaEngine.server.ts";

const name = (process.argv[2] ?? "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
if (!name) {
  console.error("usage: npm run db:migration -- <name>   (e.g. add_api_tokens)");
  process.exit(2);
}
const schema = readFileSync(path.join(MIGRATIONS_DIR, "..", "schema.prisma"), "utf8");
const sql = await diffMigrationsToSchema(readMigrations(MIGRATIONS_DIR), schema);
if (!sql) {
  console.log("The schema matches the migrations: nothing to do.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql);
console.log(`Created ${path.relative(process.cwd(), dir)}/migration.sql`);
