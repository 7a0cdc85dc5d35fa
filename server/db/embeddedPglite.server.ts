// Opens the embedded PGlite database in a data folder, creating it on first use.
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";

/**
 * The instance that creates a new folder holds on to the WebAssembly memory of its initdb run (about 500 MB) long
 * after start-up, so a new folder is initialised by a throwaway instance and then opened by the one the app keeps:
 * the server then idles at ~580 MB instead of ~890 MB (tests/integration/embeddedPglite.test.ts). `sharedBuffersMb` is PostgreSQL's
 * shared_buffers (its default, 128 MB, is sized for a server, not a database inside a web app's process).
 */
export async function openEmbeddedPglite(dir: string, sharedBuffersMb: number): Promise<PGlite> {
  mkdirSync(dir, { recursive: true });
  const options = { postgresqlconf: [`shared_buffers = ${sharedBuffersMb}MB`] };
  if (!existsSync(path.join(dir, "PG_VERSION"))) await (await PGlite.create(dir, options)).close();
  return PGlite.create(dir, options);
}
