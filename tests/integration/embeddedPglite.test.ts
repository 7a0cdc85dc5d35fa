// The embedded database: shared_buffers comes from the configuration, and an existing folder reopens with its data.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openEmbeddedPglite } from "../../server/db/embeddedPglite.server.ts";

describe("openEmbeddedPglite", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-pglite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
