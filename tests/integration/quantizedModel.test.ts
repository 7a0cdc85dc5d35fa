// `npm run model:quantize` on the bundled model: the int8 folder is served by the app like any other, and keeps
// its dev accuracy (within 0.5 point pooled, no significant difference on any dev set).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureDrift } from "#tooling/quantize/driftReport.server.ts";
import { DEFAULT_MODEL_DIR, SHARED_DATA_DIR } from "../../server/repoPaths.ts";
import { runTsx } from "../support/runTsx.ts";
import { startTestServer, type TestServer } from "../support/testServer.ts";

const haveData = existsSync(SHARED_DATA_DIR);
if (!haveData && process.env.REQUIRE_DATASETS === "1") throw new Error(`REQUIRE_DATASETS=1 but there is no dev data at ${SHARED_DATA_DIR}`);

describe("quantized bundled model", () => {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "camxuc-int8-")), "model");
  beforeAll(async () => {
    const result = await runTsx(["scripts/quantize.ts", "--model", DEFAULT_MODEL_DIR, "--out", out, "--no-drift"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/quantized 12 MatMul, 1 Gemm, 1 embedding table/);
  }, 600_000);
  afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));

  it("is marked as quantized in config.json and the model card, with a version of its own", () => {
    const config = JSON.parse(readFileSync(path.join(out, "config.json"), "utf8"));
    const original = JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, "config.json"), "utf8"));
    expect(config.version).toBe(`${original.version}+int8`);
    expect(config.quantization).toMatchObject({ method: "dynamic-int8", source_version: original.version, matmuls: 12, gemms: 1, embedding_tables: 1 });
    expect(config.quantization.model_bytes_int8).toBeLessThan(config.quantization.model_bytes_fp32);
    expect(readFileSync(path.join(out, "MODEL_CARD.md"), "utf8")).toMatch(/\*\*Quantized\*\*: this folder is the dynamic int8 quantization of version/);
    expect(readFileSync(path.join(out, "tokenizer.json"))).toEqual(readFileSync(path.join(DEFAULT_MODEL_DIR, "tokenizer.json")));
  });

  it("refuses to overwrite a folder without --force, and to quantize an int8 folder again", async () => {
    const again = await runTsx(["scripts/quantize.ts", "--model", DEFAULT_MODEL_DIR, "--out", out, "--no-drift"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty \(pass --force to overwrite it\)/);
    const twice = await runTsx(["scripts/quantize.ts", "--model", out, "--out", `${out}-twice`, "--no-drift"]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/is already quantized/);
  });

  it("is served by the app from MODEL_DIR", async () => {
    let server: TestServer | undefined;
    try {
      server = await startTestServer("pglite", { MODEL_DIR: out });
      const body = (await (await fetch(`${server.url}/api/model`)).json()) as { version: string };
      expect(body.version).toMatch(/\+int8$/);
    } finally {
      await server?.close();
    }
  }, 300_000);

  // Dynamic int8 quantizes activations per batch: a few rows flip from run to run with what they were batched with,
  // so a 530-row set's accuracy can move by 0.5 point on two or three rows. Held: label agreement above 98 % and no
  // significant difference (McNemar exact) on every set, and within 0.5 point on the pooled dev rows.
  it.skipIf(!haveData)(`keeps label agreement above 98 %, no significant accuracy difference on any dev set and within 0.5 point pooled${haveData ? "" : ` (skipped: no dev data at ${SHARED_DATA_DIR}; REQUIRE_DATASETS=1 makes this fail)`}`, async () => {
    const rows = await measureDrift(DEFAULT_MODEL_DIR, out, SHARED_DATA_DIR, { threads: 2, batchSize: 32, batchWaitMs: 0 });
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) {
      expect(row.label_agreement, row.dataset).toBeGreaterThan(0.98);
      expect(row.mcnemar_exact_p, `${row.dataset}: only fp32 right ${row.only_fp32_right}, only int8 right ${row.only_int8_right}`).toBeGreaterThanOrEqual(0.05);
    }
    const pooledRows = rows.reduce((sum, r) => sum + r.n, 0);
    const pooledDifference = rows.reduce((sum, r) => sum + (r.accuracy_int8 - r.accuracy_fp32) * r.n, 0) / pooledRows;
    expect(Math.abs(pooledDifference)).toBeLessThanOrEqual(0.005);
  }, 400_000);
});
