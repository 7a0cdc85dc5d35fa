// Inference benchmark: rows/s for 2,000 texts one by one vs through the module's batching (same run, same
// machine), and p50/p95 latency of single requests at concurrency 1 and 8. Ratios, never assertions.
// With --explain, also one occlusion explanation of a 100-word text (scripts/benchExplain.ts).
import { Classifier } from "../server/inference/classifier.server.ts";
import { DEFAULT_MODEL_DIR, SEGMENTER_WORDS_PATH, SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";
import { normalizeText } from "../server/text/normalize.ts";
import { loadWordDictionary, segmentWords } from "../server/text/segment.ts";
import { benchExplain } from "./benchExplain.ts";

// npm run bench -- --batch: the batch benchmark (scripts/benchBatch.ts) instead
if (process.argv.includes("--batch")) {
  await import("./benchBatch.ts");
  process.exit(0);
}
if (process.argv.includes("--postgres-capacity")) {
  await (await import("./benchPostgresCapacity.ts")).measurePostgresCapacity(process.argv.slice(2));
  process.exit(0);
}
if (process.argv.includes("--compare-torch")) {
  await (await import("./benchCompareTorch.ts")).compareTorch(process.argv.slice(2));
  process.exit(0);
}
if (process.argv.includes("--cold-start")) {
  await (await import("./benchColdStart.ts")).measureColdStart(process.argv.slice(2));
  process.exit(0);
}
if (process.argv.includes("--fused-attention")) {
  await (await import("./benchFusedAttention.ts")).compareFusedAttention(process.argv.slice(2));
  process.exit(0);
}
if (process.argv.includes("--session-options")) {
  await (await import("./benchSessionOptions.ts")).compareSessionOptions(process.argv.slice(2));
  process.exit(0);
}

const dataDir = process.env.BENCH_DATA ?? SHARED_DATA_DIR;
const texts = labelledSplitFiles(dataDir, "dev")
  .flatMap(({ file }) => readLabelledCsv(file).map((r) => r.text))
  .slice(0, 2000);
const modelDir = process.env.MODEL_DIR ?? DEFAULT_MODEL_DIR;
const threads = Number(process.env.INFERENCE_THREADS ?? 2);

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

async function latency(classifier: Classifier, concurrency: number, requests: number) {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const text = texts[next++ % texts.length]!;
        const t0 = performance.now();
        await classifier.classify([text]);
        times.push(performance.now() - t0);
      }
    }),
  );
  return { p50_ms: Math.round(percentile(times, 50) * 10) / 10, p95_ms: Math.round(percentile(times, 95) * 10) / 10 };
}

const oneByOne = await Classifier.load(modelDir, { threads, batchSize: 1, batchWaitMs: 0 });
let t0 = performance.now();
for (const text of texts) await oneByOne.classify([text]);
const naive = texts.length / ((performance.now() - t0) / 1000);
await oneByOne.close();

const batched = await Classifier.load(modelDir, { threads, batchSize: 32, batchWaitMs: 5 });
t0 = performance.now();
await batched.classify(texts);
const batchedRate = texts.length / ((performance.now() - t0) / 1000);
const c1 = await latency(batched, 1, 200);
const c8 = await latency(batched, 8, 400);
await batched.close();

const dictionary = loadWordDictionary(SEGMENTER_WORDS_PATH);
const corpus = texts.join("\n");
t0 = performance.now();
for (let i = 0; i < 5; i++) for (const line of texts) segmentWords(normalizeText(line), dictionary);
const segmentMBps = (Buffer.byteLength(corpus) * 5) / 1e6 / ((performance.now() - t0) / 1000);

console.log(
  JSON.stringify({
    model: modelDir,
    texts: texts.length,
    threads,
    naive_rows_per_second: Math.round(naive),
    batched_rows_per_second: Math.round(batchedRate),
    batching_speedup: Math.round((batchedRate / naive) * 100) / 100,
    single_latency_concurrency_1: c1,
    single_latency_concurrency_8: c8,
    normalize_and_segment_mb_per_second: Math.round(segmentMBps * 100) / 100,
    ...(process.argv.includes("--explain") ? await benchExplain(modelDir, threads) : {}),
  }),
);
