// The embedded database: a new data folder must not leave initdb's WebAssembly memory in the server process, and
// shared_buffers comes from the configuration.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openEmbeddedPglite } from "../../server/db/embeddedPglite.server.ts";
import { startChildServer } from "../support/childServer.ts";

describe("openEmbeddedPglite", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-pglite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a server on a new data folder does not keep initdb's WebAssembly memory", async () => {
    // PGlite's initdb run leaves ~500 MB that the instance which created the folder holds on to; measured on the
    // real server (it starts a new folder, loads the model, answers): ~580 MB resident with the throwaway
    // instance, ~890 MB without it. Measured with the two batch workers of that time and no kept interactive worker
    // (another session of each model, ~100 MB): the database's memory is what this bound is for. Aspect model 0.2.0
    // added ~80 MB (its n-gram tables): CI measured 799 MB, so the bound is now 900 (was 750).
    const server = await startChildServer({ DATA_DIR: path.join(dir, "server-data"), INFERENCE_INTERACTIVE_WORKERS: "0" });
    try {
      const pid = Number(JSON.parse(server.output().split("\n").find((l) => l.startsWith('{"url"'))!).pid);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const residentMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
      expect(residentMb).toBeLessThan(900);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("applies the configured shared_buffers and reopens an existing folder with its data", async () => {
    const db = await openEmbeddedPglite(path.join(dir, "pglite"), 16);
    try {
      expect((await db.query<{ shared_buffers: string }>("SHOW shared_buffers")).rows[0]!.shared_buffers).toBe("16MB");
      await db.exec("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
    } finally {
      await db.close();
    }
    const again = await openEmbeddedPglite(path.join(dir, "pglite"), 24);
    try {
      expect((await again.query<{ v: number }>("SELECT v FROM kept")).rows).toEqual([{ v: 42 }]);
      expect((await again.query<{ shared_buffers: string }>("SHOW shared_buffers")).rows[0]!.shared_buffers).toBe("24MB");
    } finally {
      await again.close();
    }
  });
});
