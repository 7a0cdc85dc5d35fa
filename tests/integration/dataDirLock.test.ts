// Issue 25 item 7: a second server on the same DATA_DIR (embedded database) refuses to start, naming the folder
// and the process holding it; a lock left by a process that is gone is taken over.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config.server.ts";
import { startServer, type RunningServer } from "../../server/main.ts";
import { LOCK_FILE_NAME, LOCK_STALE_MS } from "../../server/db/dataDirLock.server.ts";

describe("one server per DATA_DIR", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "camxuc-lock-"));
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "silent", MODEL_ENABLED: "false" });
  const running: RunningServer[] = [];
  afterAll(async () => {
    for (const server of running) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a second server on a folder in use, naming the folder and the other process", async () => {
    running.push(await startServer(config, { withUi: false }));
    const second = startServer(config, { withUi: false });
    await expect(second).rejects.toThrow(dataDir);
    await expect(second).rejects.toThrow(`process ${process.pid}`);
    expect((await fetch(`${running[0]!.url}/readyz`)).status).toBe(200);
    await running.pop()!.stop();
  });

  it("takes over a lock left by a process that is gone, and releases it on stop", async () => {
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid!;
    writeFileSync(path.join(dataDir, LOCK_FILE_NAME), JSON.stringify({ pid: gone, hostname: os.hostname(), startedAt: "2026-12-01T00:00:00.000Z" }));
    const server = await startServer(config, { withUi: false });
    running.push(server);
    expect(JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE_NAME), "utf8")).pid).toBe(process.pid);
    await running.pop()!.stop();
    expect(() => readFileSync(path.join(dataDir, LOCK_FILE_NAME))).toThrow();
  });

  it("refuses a lock whose holder on this host is alive but stopped touching it (a paused server), and takes over one whose pid now names a newer process", async () => {
    const file = path.join(dataDir, LOCK_FILE_NAME);
    const holder = spawn("sleep", ["120"], { stdio: "ignore" });
    try {
      await new Promise((resolve) => holder.once("spawn", resolve));
      // written after the process started, untouched for longer than LOCK_STALE_MS: a holder that was paused (SIGSTOP)
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      writeFileSync(file, JSON.stringify({ pid: holder.pid, hostname: os.hostname(), startedAt: new Date().toISOString() }));
      const long = new Date(Date.now() - LOCK_STALE_MS - 5_000);
      utimesSync(file, long, long);
      await expect(startServer(config, { withUi: false })).rejects.toThrow(`process ${holder.pid}`);
      // the same pid in a lock written an hour before that process started, touched just now: not its holder
      writeFileSync(file, JSON.stringify({ pid: holder.pid, hostname: os.hostname(), startedAt: new Date(Date.now() - 3_600_000).toISOString() }));
      const server = await startServer(config, { withUi: false });
      running.push(server);
      expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
      await running.pop()!.stop();
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("refuses a lock another host touched recently, and takes over one left untouched (a container that crashed)", async () => {
    const file = path.join(dataDir, LOCK_FILE_NAME);
    writeFileSync(file, JSON.stringify({ pid: 7, hostname: "another-container", startedAt: "2026-12-01T00:00:00.000Z" }));
    await expect(startServer(config, { withUi: false })).rejects.toThrow("process 7 on another-container");
    const long = new Date(Date.now() - LOCK_STALE_MS - 5_000);
    utimesSync(file, long, long);
    const server = await startServer(config, { withUi: false });
    running.push(server);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
    await running.pop()!.stop();
  });
});
