// Opens the embedded PGlite database in a data folder, creating it on first use.
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";

/**
 * A new folder is initialised by a throwaway instance and then opened by the one the app keeps. On Node 20 the
 * instance that ran initdb held its ~430 MB of WebAssembly memory for good; on Node 24 a GC frees it either way, and
 * the throwaway only keeps the server's RSS lower until that GC (bench, new folder: idle 947–979 MB with it,
 * 984–1,276 without; docs/batch.md). `sharedBuffersMb` is PostgreSQL's
 * shared_buffers (its default, 128 MB, is sized for a server, not a database inside a web app's process).
 */
export async function openEmbeddedPglite(dir: string, sharedBuffersMb: number): Promise<PGlite> {
  mkdirSync(dir, { recursive: true });
  const options = { postgresqlconf: [`shared_buffers = ${sharedBuffersMb}MB`] };
  if (!existsSync(path.join(dir, "PG_VERSION"))) await (await PGlite.create(dir, options)).close();
  return PGlite.create(dir, options);
}
