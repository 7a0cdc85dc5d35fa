// The server as users and scripts meet it: the typed client, the bundled model, refusals at start (SIGTERM: shutdown.test.ts).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTsx } from "../support/runTsx.ts";
import { DATABASES, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";


describe.each(DATABASES)("server on %s", (database) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(database);
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it("the CLI (typed tRPC client) logs in, analyses a text and a CSV file, and logs out", async () => {
    await trpcPost(server.url, "auth.register", { email: "script@example.com", password: "script-password" });
    await server.services.db.prisma.session.deleteMany({ where: { user: { email: "script@example.com" } } });
    const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-cli-"));
    const env = { CAMXUC_CONFIG: path.join(dir, "cli.json"), CAMXUC_URL: server.url, CAMXUC_TOKEN: "" };
    const cli = (...args: string[]) => runTsx(["scripts/cli.ts", ...args], { env });

    const login = await runTsx(["scripts/cli.ts", "login", "--email", "script@example.com", "--days", "7", "--json"], { env, input: "script-password\n" });
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    const saved = JSON.parse(readFileSync(env.CAMXUC_CONFIG, "utf8"));
    expect(saved).toEqual({ url: server.url, token: expect.stringMatching(/^cxk_/) });
    expect(statSync(env.CAMXUC_CONFIG).mode & 0o777).toBe(0o600);
    // The login token was only a means to the personal token: nothing else is left behind.
    const user = await server.services.db.prisma.user.findUniqueOrThrow({ where: { email: "script@example.com" }, include: { sessions: true, apiTokens: true } });
    expect(user.sessions).toEqual([]);
    expect(user.apiTokens.map((t) => t.name)).toEqual([`CLI on ${os.hostname()}`]);

    expect(JSON.parse((await cli("whoami", "--json")).stdout)).toMatchObject({ user: { email: "script@example.com" }, authMethod: "apiToken" });
    const single = JSON.parse((await cli("analyse", "Sản phẩm rất tốt, giao hàng nhanh", "--json")).stdout);
    expect(single).toMatchObject({ label: "positive", stored: true });

    const csv = path.join(dir, "reviews.csv");
    const texts = ["Giao hàng nhanh, đóng gói cẩn thận", "Sản phẩm lỗi, không dùng được", 'Có dấu phẩy, và "ngoặc kép"', "Bình thường", "Tuyệt vời"];
    writeFileSync(csv, `id,review\n${texts.map((t, i) => `${i + 1},"${t.replace(/"/g, '""')}"`).join("\n")}\n`);
    const out = path.join(dir, "results.csv");
    // By default the file goes up as a batch job (stored as the batch's rows); --via many sends predict.many chunks.
    const file = await cli("analyse-file", csv, "--column", "review", "--out", out);
    expect(file.code).toBe(0);
    const rows = Papa.parse<string[]>(readFileSync(out, "utf8").replace(/^\uFEFF/, ""), { skipEmptyLines: true }).data;
    expect(rows[0]!.slice(0, 9)).toEqual(["row", "text", "label", "confidence", "negative", "neutral", "positive", "language", "not_vietnamese"]);
    expect(rows.slice(1).map((r) => r[7])).toEqual(["vi", "vi", "vi", "vi", "vi"]);
    // then aspect_<id> per aspect found, each cell the polarity or empty
    expect(rows[0]!.slice(9).every((h) => /^aspect_[a-z0-9_]+$/.test(h))).toBe(true);
    expect(rows.slice(1).every((r) => r.slice(9).every((c) => ["", "negative", "neutral", "positive"].includes(c)))).toBe(true);
    expect(rows.slice(1).map((r) => r[1])).toEqual(texts);
    expect(rows[2]![2]).toBe("negative");
    expect(await server.services.db.prisma.prediction.count({ where: { userId: user.id } })).toBe(1 + texts.length);
    expect(await server.services.db.prisma.batch.count({ where: { userId: user.id, status: "completed" } })).toBe(1);
    const unknownDomain = await cli("analyse-file", csv, "--column", "review", "--domain", "spaceships");
    expect(unknownDomain.code).toBe(1);
    expect(unknownDomain.stderr).toContain('Unknown domain "spaceships"');
    const many = await cli("analyse-file", csv, "--column", "review", "--domain", "general", "--via", "many", "--out", out);
    expect(many.code).toBe(0);
    const manyHeader = Papa.parse<string[]>(readFileSync(out, "utf8").replace(/^\uFEFF/, ""), { skipEmptyLines: true }).data[0]!;
    expect(manyHeader.slice(9).every((h) => /^aspect_[a-z0-9_]+$/.test(h))).toBe(true);
    const table = await cli("analyse-file", csv, "--column", "review", "--via", "many", "--chunk", "3");
    expect(table.stdout.split("\n")[0]).toMatch(/^#\s+label\s+confidence\s+text$/);
    // this server has no accurate model: the CLI passes the server's 400 on; a made-up kind is a usage error
    const accurate = await cli("analyse", "Hàng tốt", "--model", "accurate");
    expect(accurate.code).toBe(1);
    expect(accurate.stderr).toContain("accurate");
    expect((await cli("analyse", "Hàng tốt", "--model", "slow")).code).toBe(2);
    const wrongColumn = await cli("analyse-file", csv);
    expect(wrongColumn.code).toBe(1);
    expect(wrongColumn.stderr).toContain('no column "text" (found: id, review)');

    const forged = await runTsx(["scripts/cli.ts", "analyse", "thử"], { env: { ...env, CAMXUC_TOKEN: `cxk_${"x".repeat(43)}` } });
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/401 auth\.invalidToken/);

    expect((await cli("logout")).code).toBe(0);
    expect(existsSync(env.CAMXUC_CONFIG)).toBe(false);
    expect((await server.services.db.prisma.apiToken.findFirstOrThrow({ where: { userId: user.id } })).revokedAt).not.toBeNull();
    const after = await cli("analyse", "thử");
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/Not logged in/);
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);

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
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "camxuc-data-"));
    try {
      const result = await runTsx(["server/main.ts"], { env: { MODEL_DIR: empty, PORT: "0", DATA_DIR: dataDir } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${empty}/model.onnx: missing`);
    } finally {
      for (const dir of [empty, dataDir]) rmSync(dir, { recursive: true, force: true });
    }
  });
  // SIGTERM on the real entry point: tests/integration/shutdown.test.ts (under load, both databases)
});
