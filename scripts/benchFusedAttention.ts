// `npm run bench -- --fused-attention [--model DIR] [--texts N] [--rounds R]`: the model as exported against the same
// model with its attention fused into ONNX Runtime's MultiHeadAttention (tooling/quantize/fuseAttention.ts),
// in fp32 and int8 (each quantized with model:quantize's rewrite), in one process with rounds interleaved. Prints the
// median texts/s one by one and in one background call with all texts (a batch job's path), and the fused graph's drift.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Classifier, type Classification } from "../server/inference/classifier.server.ts";
import { fuseAttention } from "#tooling/quantize/fuseAttention.ts";
import { decodeModel, encodeModel } from "#tooling/quantize/onnxProto.ts";
import { quantizeModelFolder } from "#tooling/quantize/quantizeModelFolder.server.ts";
import { DEFAULT_MODEL_DIR, SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function fusedCopy(source: string, out: string): number {
  for (const file of readdirSync(source)) if (file !== "model.onnx" && !file.endsWith(".pt")) copyFileSync(path.join(source, file), path.join(out, file));
  const model = decodeModel(readFileSync(path.join(source, "model.onnx")));
  const { fused, skipped } = fuseAttention(model);
  if (fused === 0) throw new Error(`no attention to fuse in ${source}: ${skipped.map((s) => `${s.node}: ${s.reason}`).join("; ")}`);
  writeFileSync(path.join(out, "model.onnx"), encodeModel(model));
  return fused;
}

export async function compareFusedAttention(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { "fused-attention": { type: "boolean" }, model: { type: "string" }, texts: { type: "string" }, rounds: { type: "string" } } });
  const modelDir = values.model ?? DEFAULT_MODEL_DIR;
  const count = Number(values.texts ?? 256);
  const rounds = Number(values.rounds ?? 3);
  const texts = labelledSplitFiles(process.env.BENCH_DATA ?? SHARED_DATA_DIR, "dev").flatMap(({ file }) => readLabelledCsv(file).slice(0, Math.ceil(count / 5)).map((r) => r.text)).slice(0, count);
  const oneByOne = texts.slice(0, Math.min(100, texts.length));
  const tmp = mkdtempSync(path.join(os.tmpdir(), "camxuc-fused-"));
  try {
    const dirs = { fused: path.join(tmp, "fused"), int8: path.join(tmp, "int8"), fusedInt8: path.join(tmp, "fused-int8") };
    mkdirSync(dirs.fused);
    const layers = fusedCopy(modelDir, dirs.fused);
    quantizeModelFolder(modelDir, dirs.int8);
    quantizeModelFolder(dirs.fused, dirs.fusedInt8);
    const report = [`${modelDir}: ${layers} attention layer(s) fused; ${texts.length} dev texts (${oneByOne.length} one by one), ${rounds} interleaved rounds, medians\n`,
      "| precision | graph | one by one texts/s | one call texts/s | label agreement | max prob. diff |", "|---|---|---:|---:|---:|---:|"];
    for (const [precision, plain, fused] of [["fp32", modelDir, dirs.fused], ["int8", dirs.int8, dirs.fusedInt8]] as const) {
      const options = { threads: 2, batchSize: 32, batchWaitMs: 0, cacheSize: 0, maxBatchTokens: 4096 };
      const classifiers = [await Classifier.load(plain, options), await Classifier.load(fused, options)] as const;
      const rates = [{ one: [] as number[], all: [] as number[] }, { one: [] as number[], all: [] as number[] }];
      const results: Classification[][] = [[], []];
      for (let round = 0; round < rounds; round++) {
        for (const [i, classifier] of classifiers.entries()) {
          let t0 = performance.now();
          for (const text of oneByOne) await classifier.classify([text]);
          rates[i]!.one.push(oneByOne.length / ((performance.now() - t0) / 1000));
          t0 = performance.now();
          results[i] = await classifier.classify(texts, "background");
          rates[i]!.all.push(texts.length / ((performance.now() - t0) / 1000));
        }
      }
      let agree = 0;
      let drift = 0;
      results[0]!.forEach((r, i) => {
        const other = results[1]![i]!;
        if (r.label === other.label) agree++;
        for (const label of Object.keys(r.probabilities)) drift = Math.max(drift, Math.abs(r.probabilities[label]! - other.probabilities[label]!));
      });
      for (const [i, graph] of ["as exported", "attention fused"].entries()) {
        report.push(`| ${precision} | ${graph} | ${median(rates[i]!.one).toFixed(1)} | ${median(rates[i]!.all).toFixed(1)} | ${i === 0 ? "" : (agree / texts.length).toFixed(4)} | ${i === 0 ? "" : drift.toExponential(1)} |`);
      }
      for (const classifier of classifiers) await classifier.close();
    }
    console.log(report.join("\n"));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
