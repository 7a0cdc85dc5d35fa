// The chunk queue takes the settings of each start: BATCH_CHUNK_HEARTBEAT_SECONDS and BATCH_CHUNK_EXPIRE_SECONDS
// changed after the first start used to be ignored (pg-boss kept the queue as the first start created it).
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { CHUNK_QUEUE } from "../../server/batches/batchQueue.server.ts";
import { loadConfig } from "../../server/config.server.ts";
import { startServer } from "../../server/main.ts";
import { pgliteDataDir } from "../support/testServer.ts";

describe("the batch chunk queue", () => {
  const folders: string[] = [];
  afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("takes this start's heartbeat and expiry settings, not those of the start that created it", async () => {
    const dataDir = await pgliteDataDir();
    folders.push(dataDir);
    const settings = { BATCH_CHUNK_HEARTBEAT_SECONDS: "25", BATCH_CHUNK_EXPIRE_SECONDS: "900" };
    const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn", MODEL_ENABLED: "false", ...settings });
    const server = await startServer(config, { withUi: false });
    try {
      const [queue] = await server.services.db.prisma.$queryRaw<{ heartbeat_seconds: number; expire_seconds: number }[]>`
        SELECT heartbeat_seconds, expire_seconds FROM pgboss.queue WHERE name = ${CHUNK_QUEUE}`;
      expect(queue).toEqual({ heartbeat_seconds: 25, expire_seconds: 900 });
    } finally {
      await server.stop();
    }
  });
});
