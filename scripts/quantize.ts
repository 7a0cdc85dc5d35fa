// Dynamic int8 quantization of a model folder, then its drift from fp32 on the dev sets.
// Usage: npm run model:quantize -- --model DIR --out DIR [--data ../shared/data] [--drift-rows N | --no-drift] [--force]
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { driftMarkdownTable, measureDrift } from "#tooling/quantize/driftReport.server.ts";
import { appendDriftToCard, quantizeModelFolder } from "#tooling/quantize/quantizeModelFolder.server.ts";
import { DEFAULT_QUANTIZE_OPTIONS } from "#tooling/quantize/quantizeGraph.ts";
import { SHARED_DATA_DIR } from "../server/repoPaths.ts";

const { values } = parseArgs({
  options: { model: { type: "string" }, out: { type: "string" }, data: { type: "string" }, "drift-rows": { type: "string" }, "no-drift": { type: "boolean" }, force: { type: "boolean" } },
});
if (!values.model || !values.out) {
  console.error("usage: npm run model:quantize -- --model DIR --out DIR [--data ../shared/data] [--drift-rows N | --no-drift] [--force]");
  process.exit(2);
}
try {
  const started = performance.now();
  const { summary, record } = quantizeModelFolder(values.model, values.out, { ...DEFAULT_QUANTIZE_OPTIONS, overwrite: values.force });
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  console.error(
    `quantized ${summary.matmuls} MatMul, ${summary.gemms} Gemm, ${summary.embeddings} embedding table(s) in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `model.onnx ${mib(record.model_bytes_fp32)} -> ${mib(record.model_bytes_int8)}` +
      (summary.skipped.length ? `; left fp32: ${summary.skipped.map((s) => `${s.node} (${s.reason})`).join(", ")}` : ""),
  );
  const dataDir = values.data ?? SHARED_DATA_DIR;
  if (values["no-drift"]) {
    console.error("drift: skipped (--no-drift)");
  } else if (!existsSync(dataDir)) {
    console.error(`drift: skipped, no dev data at ${dataDir} (pass --data DIR)`);
  } else {
    const rowsPerDataset = values["drift-rows"] ? Number(values["drift-rows"]) : undefined;
    if (rowsPerDataset !== undefined && !(Number.isInteger(rowsPerDataset) && rowsPerDataset > 0)) throw new Error("--drift-rows must be a positive whole number");
    const rows = await measureDrift(values.model, values.out, dataDir, { threads: 2, batchSize: 32, batchWaitMs: 0, rowsPerDataset });
    const table = driftMarkdownTable(rows);
    appendDriftToCard(values.out, table);
    console.log(table);
  }
} catch (error) {
  console.error(`model:quantize: ${(error as Error).message}`);
  process.exit(1);
}
