// The embedded database's memory: a new data folder must not leave initdb's WebAssembly memory in the process.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { openEmbeddedPglite } from "../../server/db/embeddedPglite.server.ts";
import { REPO_ROOT } from "../../server/repoPaths.ts";

describe("openEmbeddedPglite", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-pglite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a new folder without keeping initdb's WebAssembly memory in the process", () => {
    // initdb's memory alone is ~500 MB; one open instance ~150 MB (measured in a process of its own: the test
    // runner's process keeps other references)
    const output = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "tests/support/embeddedPgliteMemory.ts", path.join(dir, "fresh")], { cwd: REPO_ROOT, encoding: "utf8" });
    const { externalMb } = JSON.parse(output.trim().split("\n").pop()!) as { externalMb: number };
    expect(externalMb).toBeLessThan(300);
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
