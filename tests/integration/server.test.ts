// The server as users and scripts meet it: the typed client, the bundled model, shutdown on SIGTERM.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../server/repoPaths.ts";
import { runTsx, TSX } from "../support/runTsx.ts";
import { DATABASES, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";


describe.each(DATABASES)("server on %s", (database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("a script using the exported router type logs in with a bearer token and reads the current user", async () => {
    await trpcPost(server.url, "auth.register", { email: "script@example.com", password: "script-password" });
    const result = await runTsx(["scripts/api-client-example.ts", "Sản phẩm rất tốt, giao hàng nhanh"], {
      env: { CAMXUC_URL: server.url, CAMXUC_EMAIL: "script@example.com", CAMXUC_PASSWORD: "script-password" },
    });
    expect(result.stderr).not.toMatch(/Error/);
    const output = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
    expect(output).toMatchObject({ user: "script@example.com", authMethod: "bearer" });
    expect(Object.keys(output.prediction.probabilities).sort()).toEqual(["negative", "neutral", "positive"]);
  });

  it("reports the model in /readyz", async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready", database: true, model: true });
  });
});

describe("process lifecycle", () => {
  it("refuses to start with an invalid variable, naming it", async () => {
    const result = await runTsx(["server/main.ts"], { env: { PORT: "not-a-port" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Invalid environment variable PORT="not-a-port"/);
  });

  it("refuses to start when the model folder is broken, naming the file", async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), "camxuc-model-"));
    const result = await runTsx(["server/main.ts"], { env: { MODEL_DIR: empty, PORT: "0", DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "camxuc-data-")) } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${empty}/model.onnx: missing`);
  });

  it("shuts down cleanly on SIGTERM", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "camxuc-data-"));
    const child = spawn(TSX, ["server/main.ts"], { cwd: REPO_ROOT, env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir } });
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 90_000);
      const onData = (d: Buffer) => {
        output += d;
        const match = output.match(/listening on (http:\/\/\S+)/);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGTERM: shutting down/);
  });
});
