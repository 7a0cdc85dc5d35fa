// `npm run bench -- --session-options [--model DIR] [--texts N] [--rounds R]`: ONNX Runtime session options side by
// side on one model, in one process, rounds interleaved so the machine's load hits each option alike. Prints the
// median texts/s of each option (one by one and in calls of 32) relative to the app's current choice.
import { parseArgs } from "node:util";
import type { InferenceSession } from "onnxruntime-node";
import { Classifier } from "../server/inference/classifier.server.ts";
import { DEFAULT_MODEL_DIR, SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";

const CANDIDATES: [string, InferenceSession.SessionOptions][] = [
  ["current (sessionOptions.ts)", {}],
  ["intraOpNumThreads 1", { intraOpNumThreads: 1 }],
  ["intra-op spinning off", { extra: { session: { intra_op: { allow_spinning: "0" } } } }],
  ["interOpNumThreads 2, parallel", { interOpNumThreads: 2, executionMode: "parallel" }],
  ["enableCpuMemArena false", { enableCpuMemArena: false }],
  ["enableMemPattern false", { enableMemPattern: false }],
  ["graphOptimizationLevel extended", { graphOptimizationLevel: "extended" }],
  ["graphOptimizationLevel basic", { graphOptimizationLevel: "basic" }],
];

export async function compareSessionOptions(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { "session-options": { type: "boolean" }, model: { type: "string" }, texts: { type: "string" }, rounds: { type: "string" } } });
  const count = Number(values.texts ?? 128);
  const rounds = Number(values.rounds ?? 3);
  const texts = labelledSplitFiles(process.env.BENCH_DATA ?? SHARED_DATA_DIR, "dev").flatMap(({ file }) => readLabelledCsv(file).slice(0, Math.ceil(count / 5)).map((r) => r.text)).slice(0, count);
  const modelDir = values.model ?? DEFAULT_MODEL_DIR;
  const loaded: [string, Classifier, number][] = [];
  for (const [name, sessionOptions] of CANDIDATES) {
    const t0 = performance.now();
    loaded.push([name, await Classifier.load(modelDir, { threads: 2, batchSize: 32, batchWaitMs: 0, cacheSize: 0, maxBatchTokens: 4096, sessionOptions }), (performance.now() - t0) / 1000]);
  }
  const rates = new Map(loaded.map(([name]) => [name, { single: [] as number[], batched: [] as number[] }]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, classifier] of loaded) {
      let t0 = performance.now();
      for (const text of texts) await classifier.classify([text]);
      rates.get(name)!.single.push(texts.length / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      for (let i = 0; i < texts.length; i += 32) await classifier.classify(texts.slice(i, i + 32));
      rates.get(name)!.batched.push(texts.length / ((performance.now() - t0) / 1000));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = rates.get(CANDIDATES[0]![0])!;
  console.log(`${modelDir}: ${texts.length} dev texts, ${rounds} interleaved rounds, median texts/s (ratio to current)\n`);
  console.log("| session options | load s | one by one | × | calls of 32 | × |\n|---|---:|---:|---:|---:|---:|");
  for (const [name, classifier, load] of loaded) {
    const r = rates.get(name)!;
    console.log(`| ${name} | ${load.toFixed(2)} | ${median(r.single).toFixed(1)} | ${(median(r.single) / median(base.single)).toFixed(2)} | ${median(r.batched).toFixed(1)} | ${(median(r.batched) / median(base.batched)).toFixed(2)} |`);
    await classifier.close();
  }
}
