// `npm run bench -- --cold-start [--model DIR]`: where a model's load time goes (each step timed in a fresh process
// state), and whether an ONNX Runtime graph optimised ahead of time (saved once, loaded with optimisation off) loads faster.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import ort from "onnxruntime-node";
import { Classifier } from "../server/inference/classifier.server.ts";
import { readModelFolder } from "../server/inference/modelFolder.server.ts";
import { inferenceSessionOptions } from "../server/inference/sessionOptions.ts";
import { TextEncoder } from "../server/inference/textEncoder.ts";
import { DEFAULT_MODEL_DIR, SEGMENTER_WORDS_PATH } from "../server/repoPaths.ts";
import { loadWordDictionary } from "../server/text/segment.ts";

export async function measureColdStart(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { "cold-start": { type: "boolean" }, model: { type: "string" } } });
  const dir = values.model ?? DEFAULT_MODEL_DIR;
  const steps: [string, number][] = [];
  const time = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await f();
    steps.push([name, (performance.now() - t0) / 1000]);
    return value;
  };
  const model = await time("read config.json + tokenizer.json", () => readModelFolder(dir));
  const dictionary = await time("load the word-segmentation dictionary", () => loadWordDictionary(SEGMENTER_WORDS_PATH));
  await time("build the BPE tokenizer", () => new TextEncoder(model.tokenizerJson, dictionary));
  const session = await time("ONNX Runtime session (optimisation level all, at load)", () => ort.InferenceSession.create(model.modelPath, inferenceSessionOptions(2)));
  await session.release();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "camxuc-optimized-"));
  const optimized = path.join(tmp, "model.onnx");
  const saving = await ort.InferenceSession.create(model.modelPath, { ...inferenceSessionOptions(2), graphOptimizationLevel: "extended", optimizedModelFilePath: optimized });
  await saving.release();
  const pre = await time("ONNX Runtime session of a graph optimised ahead of time (level extended saved, loaded with level disabled)", () =>
    ort.InferenceSession.create(optimized, { ...inferenceSessionOptions(2), graphOptimizationLevel: "disabled" }));
  await pre.release();
  rmSync(tmp, { recursive: true, force: true });
  await time("Classifier.load end to end (all of the above once, plus a warm-up run)", async () => (await Classifier.load(dir, { threads: 2, batchSize: 32, batchWaitMs: 0 })).close());
  console.log(`${dir}\n\n| step | seconds |\n|---|---:|\n${steps.map(([n, s]) => `| ${n} | ${s.toFixed(2)} |`).join("\n")}`);
}
