// Writes an int8 copy of a model folder: the rewritten model.onnx, the tokenizer and other files copied, and
// config.json / MODEL_CARD.md marked as quantized (the version gains "+int8", so caches and history tell them apart).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readAspectModelFolder } from "#server/inference/aspectModel.server.ts";
import { readModelFolder } from "#server/inference/modelFolder.server.ts";
import { decodeModel, encodeModel } from "./onnxProto.ts";
import { DEFAULT_QUANTIZE_OPTIONS, QuantizeError, quantizeModel, type QuantizeOptions, type QuantizeSummary } from "./quantizeGraph.ts";

export type QuantizationRecord = {
  method: "dynamic-int8";
  weights: string;
  activations: string;
  embeddings: string;
  source_version: string;
  matmuls: number;
  gemms: number;
  embedding_tables: number;
  model_bytes_fp32: number;
  model_bytes_int8: number;
  tool: string;
};

/** A sentence-model folder, or an aspect-model folder (config.json `model_type: "camxuc-aspects"`), checked by its own reader. */
function readAnyModelFolder(dir: string): { dir: string; modelPath: string; version: string; modelId: string } {
  const configPath = path.join(path.resolve(dir), "config.json");
  const modelType = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, "utf8")) as { model_type?: unknown }).model_type : undefined;
  if (modelType !== "camxuc-aspects") return readModelFolder(dir);
  const folder = readAspectModelFolder(dir);
  return { dir: folder.dir, modelPath: folder.modelPath, version: folder.config.version, modelId: "camxuc-aspects" };
}

export function quantizeModelFolder(sourceDir: string, outDir: string, options: QuantizeOptions & { overwrite?: boolean } = DEFAULT_QUANTIZE_OPTIONS): { summary: QuantizeSummary; record: QuantizationRecord } {
  const source = readAnyModelFolder(sourceDir);
  const target = path.resolve(outDir);
  if (target === source.dir) throw new QuantizeError("--out must differ from --model (the fp32 folder is kept for comparison)");
  if (!options.overwrite && existsSync(target) && readdirSync(target).length > 0) throw new QuantizeError(`${target} is not empty (pass --force to overwrite it)`);
  const config = JSON.parse(readFileSync(path.join(source.dir, "config.json"), "utf8")) as Record<string, unknown>;
  if (config.quantization) throw new QuantizeError(`${source.dir} is already quantized (config.json has "quantization")`);
  const sourceBytes = readFileSync(source.modelPath);
  let model;
  try {
    model = decodeModel(sourceBytes);
  } catch (error) {
    throw new QuantizeError(`${source.modelPath}: not an ONNX model (${(error as Error).message})`);
  }
  const summary = quantizeModel(model, options);
  if (summary.matmuls + summary.gemms === 0) throw new QuantizeError(`${source.modelPath}: no MatMul or Gemm with a constant weight to quantize`);
  const bytes = encodeModel(model);
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(source.dir)) {
    const file = path.join(source.dir, name);
    if (name === "model.onnx" || name === "config.json" || name === "MODEL_CARD.md" || !statSync(file).isFile()) continue;
    copyFileSync(file, path.join(target, name));
  }
  writeFileSync(path.join(target, "model.onnx"), bytes);
  const record: QuantizationRecord = {
    method: "dynamic-int8",
    weights: "int8, symmetric, one scale per output column",
    activations: "uint8, asymmetric, one scale per tensor computed at run time (DynamicQuantizeLinear)",
    embeddings: "int8 rows with one scale per row, dequantized in the graph (Gather + Mul)",
    source_version: source.version,
    matmuls: summary.matmuls,
    gemms: summary.gemms,
    embedding_tables: summary.embeddings,
    model_bytes_fp32: sourceBytes.length,
    model_bytes_int8: bytes.length,
    tool: "npm run model:quantize",
  };
  const version = `${source.version === "unversioned" ? "0" : source.version}+int8`;
  writeFileSync(path.join(target, "config.json"), JSON.stringify({ ...config, version, quantization: record }, null, 1) + "\n");
  const card = existsSync(path.join(source.dir, "MODEL_CARD.md")) ? readFileSync(path.join(source.dir, "MODEL_CARD.md"), "utf8") : `# Model card: ${source.modelId}\n`;
  writeFileSync(path.join(target, "MODEL_CARD.md"), quantizedCard(card, source.version, version, record));
  return { summary, record };
}

function quantizedCard(card: string, fromVersion: string, version: string, record: QuantizationRecord): string {
  const [title, ...rest] = card.split("\n");
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  return [
    `${title} (int8, version ${version})`,
    "",
    `**Quantized**: this folder is the dynamic int8 quantization of version ${fromVersion} (\`${record.tool}\`):`,
    `${record.matmuls + record.gemms} matrix products with weights ${record.weights} and activations ${record.activations};`,
    `${record.embedding_tables} embedding table(s) stored as ${record.embeddings}. model.onnx ${mib(record.model_bytes_fp32)} MiB -> ${mib(record.model_bytes_int8)} MiB.`,
    "Its agreement with the fp32 model on the dev sets is in the section \"Quantization drift\" when it was measured.",
    "The text below describes the fp32 model it came from.",
    ...rest,
  ].join("\n");
}

export function appendDriftToCard(outDir: string, markdownTable: string): void {
  const file = path.join(outDir, "MODEL_CARD.md");
  writeFileSync(file, `${readFileSync(file, "utf8").trimEnd()}\n\n## Quantization drift\nint8 against the fp32 model it came from, on each dev set (same inference path):\n\n${markdownTable}\n`);
}
