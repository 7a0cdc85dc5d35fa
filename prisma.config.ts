// Prisma CLI configuration: the CLI only generates the client here; migrations run through our own runner
// (server/db/migrate.server.ts) because Prisma's native engines cannot be downloaded offline.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
