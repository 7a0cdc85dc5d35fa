// "fast" / "accurate" per analysis and per batch, and the language flag, over real HTTP with real ONNX models.
// The accurate model here is a copy of the bundled folder under another version (the real one comes from training,
// issue 21), so every answer shows which folder produced it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR } from "../../server/repoPaths.ts";
import { uploadCsv, waitForBatch } from "../support/batchFiles.ts";
import { DATABASES, startTestServer, trpcGet, trpcPost, type TestServer } from "../support/testServer.ts";

const BUNDLED_VERSION = (JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, "config.json"), "utf8")) as { version: string }).version;
const ACCURATE_VERSION = `${BUNDLED_VERSION}-accurate-test-copy`;
const METRICS_TOKEN = "metrics-token-0123456789abcdef";
const ENGLISH = "This product is great, fast delivery and good packaging";
const CHINESE = "这个产品很好，发货很快";
const VIETNAMESE = "Pin tụt nhanh quá, máy nóng";

function accurateCopy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-accurate-"));
  cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
  const config = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8"));
  writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...config, version: ACCURATE_VERSION }));
  return dir;
}

async function register(server: TestServer, email: string): Promise<Record<string, string>> {
  const reg = await trpcPost(server.url, "auth.register", { email, password: "model-choice-password" });
  return { authorization: `Bearer ${reg.json.result.data.token}` };
}

describe.each(DATABASES)("model choice and language flag on %s", (database) => {
  let server: TestServer;
  let auth: Record<string, string>;
  let accurateDir: string;

  beforeAll(async () => {
    accurateDir = accurateCopy();
    server = await startTestServer(database, { ACCURATE_MODEL_DIR: accurateDir, METRICS_TOKEN, BATCH_CHUNK_ROWS: "3" });
    auth = await register(server, "choice@example.com");
  });
  afterAll(async () => {
    await server?.close();
    rmSync(accurateDir, { recursive: true, force: true });
  });

  it("answers with the model asked for, says which, and stores it", async () => {
    const fast = (await trpcPost(server.url, "predict.single", { text: VIETNAMESE }, auth)).json.result.data;
    expect(fast).toMatchObject({ modelKind: "fast", modelVersion: BUNDLED_VERSION, language: "vi", notVietnamese: false });
    const accurate = await trpcPost(server.url, "predict.single", { text: VIETNAMESE, model: "accurate" }, auth);
    expect(accurate.status).toBe(200);
    expect(accurate.json.result.data).toMatchObject({ modelKind: "accurate", modelVersion: ACCURATE_VERSION });
    const stored = await server.services.db.prisma.prediction.findUniqueOrThrow({ where: { id: accurate.json.result.data.id } });
    expect(stored).toMatchObject({ modelKind: "accurate", modelVersion: ACCURATE_VERSION, language: "vi", notVietnamese: false });
    const many = await trpcPost(server.url, "predict.many", { texts: [VIETNAMESE, ENGLISH], model: "accurate" }, auth);
    expect(many.json.result.data.results.map((r: any) => [r.modelKind, r.modelVersion, r.notVietnamese])).toEqual([["accurate", ACCURATE_VERSION, false], ["accurate", ACCURATE_VERSION, true]]);
    const history = await trpcGet(server.url, "history.list", auth, {});
    expect(history.json.result.data.items[0]).toMatchObject({ text: ENGLISH, modelKind: "accurate", language: "en", notVietnamese: true });
  });

  it("REST: model in the body, and GET /api/model names the accurate model", async () => {
    const response = await fetch(`${server.url}/api/predict/single`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ text: CHINESE, model: "accurate" }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ modelKind: "accurate", language: "zh", notVietnamese: true, uncertain: true });
    const model = await (await fetch(`${server.url}/api/model`)).json();
    expect(model).toMatchObject({ version: BUNDLED_VERSION, accurate: { version: ACCURATE_VERSION } });
  });

  it("flags English and Chinese rows of a batch run on the accurate model, counted in the status and exported", async () => {
    const csv = Papa.unparse([["review"], [VIETNAMESE], [ENGLISH], ["Giao hàng nhanh, đóng gói cẩn thận"], [CHINESE], ["hang dung nhu mo ta, dang tien"]]);
    const form = new FormData();
    form.append("model", "accurate");
    form.append("file", new Blob([csv], { type: "text/csv" }), "mixed.csv");
    const upload = await fetch(`${server.url}/api/predict/batch`, { method: "POST", body: form, headers: auth });
    expect(upload.status).toBe(202);
    const { id } = (await upload.json()) as { id: string };
    const finished = await waitForBatch(server.url, id, auth);
    expect(finished).toMatchObject({ status: "completed", modelKind: "accurate", modelVersion: ACCURATE_VERSION, notVietnamese: 2, processed: 5 });
    const exported = Papa.parse<string[]>((await (await fetch(`${server.url}/api/batches/${id}/results.csv`, { headers: auth })).text()).replace(/^\uFEFF/, ""), { skipEmptyLines: true }).data;
    const header = exported[0]!;
    const column = (name: string) => exported.slice(1).map((row) => row[header.indexOf(name)]);
    expect(column("not_vietnamese")).toEqual(["false", "true", "false", "true", "false"]);
    expect(column("language")).toEqual(["vi", "en", "vi", "zh", "vi"]);
    expect(new Set(column("model"))).toEqual(new Set(["accurate"]));
    const page = await trpcGet(server.url, "batch.results", auth, { id });
    expect(page.json.result.data.rows.filter((r: any) => r.notVietnamese).map((r: any) => r.text)).toEqual([ENGLISH, CHINESE]);
  });

  it("counts predictions per model in /metrics", async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(text).toMatch(/camxuc_predictions_total\{[^}]*source="http"[^}]*model="accurate"[^}]*\} [1-9]/);
    expect(text).toMatch(/camxuc_predictions_total\{[^}]*source="http"[^}]*model="fast"[^}]*\} [1-9]/);
    expect(text).toMatch(/camxuc_predictions_total\{[^}]*source="batch"[^}]*model="accurate"[^}]*\} [1-9]/);
  });
});

describe("a server without an accurate model", () => {
  let server: TestServer;
  let auth: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer("pglite");
    auth = await register(server, "fast-only@example.com");
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers "accurate" with a clear 400 on tRPC, REST and batch uploads, and stores nothing', async () => {
    const trpc = await trpcPost(server.url, "predict.single", { text: VIETNAMESE, model: "accurate" }, auth);
    expect(trpc.status).toBe(400);
    expect(trpc.json.error.data).toMatchObject({ messageKey: "predict.accurateUnavailable" });
    const rest = await fetch(`${server.url}/api/predict/many`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ texts: [VIETNAMESE], model: "accurate" }) });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as any).error).toMatchObject({ messageKey: "predict.accurateUnavailable", field: "model" });
    const form = new FormData();
    form.append("model", "accurate");
    form.append("file", new Blob(["review\nhàng tốt\n"], { type: "text/csv" }), "r.csv");
    const upload = await fetch(`${server.url}/api/predict/batch`, { method: "POST", body: form, headers: auth });
    expect(upload.status).toBe(400);
    expect(((await upload.json()) as any).error.messageKey).toBe("predict.accurateUnavailable");
    const fastUpload = await uploadCsv(`${server.url}`, "review\nhàng tốt\n", auth);
    expect(fastUpload.status).toBe(202);
    const bad = await trpcPost(server.url, "predict.single", { text: VIETNAMESE, model: "slow" }, auth);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json.error)).toContain('model must be \\"fast\\" or \\"accurate\\"');
    expect(await server.services.db.prisma.prediction.count({ where: { source: "single" } })).toBe(0);
    expect((await (await fetch(`${server.url}/api/model`)).json()).accurate).toBeNull();
  });
});
