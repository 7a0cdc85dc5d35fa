// `npm run bench -- --compare-torch [--texts N] [--threads 2] [--workers 1] [--torch-threads workers x threads] [--max-batch-tokens 4096] [--ort JSON]`: one run, same real dev texts, PyTorch eager one
// by one (the old FastAPI system's way) against our module one by one and batched, fp32 and int8, on a model with
// PhoBERT-base's shape (random weights, built once with Debian's python3-torch into models/bench/) and on the
// bundled model. Each measurement runs in its own process, one after another, so cold load and peak RSS are its own.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Classifier } from "../server/inference/classifier.server.ts";
import { readModelFolder } from "../server/inference/modelFolder.server.ts";
import { TextEncoder } from "../server/inference/textEncoder.ts";
import { DEFAULT_MODEL_DIR, REPO_ROOT, SEGMENTER_WORDS_PATH, SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";
import { loadWordDictionary } from "../server/text/segment.ts";

const BENCH_DIR = path.join(REPO_ROOT, "models", "bench");
const PHOBERT_DIR = path.join(BENCH_DIR, "phobert-base-shaped");
const PYTHON = "/usr/bin/python3";
/**
 * OpenBLAS picks its kernels from the CPU model, and on a virtual CPU that hides it ("Intel(R) Xeon(R) Processor",
 * as here) it falls back to "Prescott" (SSE3): PyTorch ran at 4.9 texts/s instead of 10.8. Name the newest core
 * the CPU's flags support, unless the caller did.
 */
function openBlasCoreType(): string | undefined {
  if (process.env.OPENBLAS_CORETYPE) return process.env.OPENBLAS_CORETYPE;
  const flags = new Set((/^flags\s*:(.*)$/m.exec(existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "")?.[1] ?? "").trim().split(/\s+/));
  return flags.has("avx512_bf16") ? "Cooperlake" : flags.has("avx512f") ? "SkylakeX" : flags.has("avx2") ? "Haswell" : undefined;
}
const OPENBLAS_CORETYPE = openBlasCoreType();
const PYTHON_ENV = { ...process.env, LD_LIBRARY_PATH: "/usr/lib/x86_64-linux-gnu/openblas-openmp", ...(OPENBLAS_CORETYPE ? { OPENBLAS_CORETYPE } : {}) };
const TORCH_SCRIPT = path.join(REPO_ROOT, "models", "train", "phobert_base_shaped.py");
const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const BATCH_CALL = 32;

type Measurement = { texts_per_second: number; p50_ms: number; p95_ms: number; cold_load_s: number; peak_rss_mib: number };

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** Worker: loads one model folder, classifies the texts one by one or in calls of BATCH_CALL, prints a Measurement. */
/**
 * With `workers` > 1 (inference worker threads, each with `threads` ONNX Runtime threads), the 32-text calls go
 * `workers` at a time, as concurrent requests to one server would; one by one stays one at a time.
 */
async function worker(modelDir: string, textsFile: string, mode: "single" | "batched" | "all", ort: string | undefined, threads: number, workers: number, maxBatchTokens: number) {
  const texts = JSON.parse(readFileSync(textsFile, "utf8")) as string[];
  const started = performance.now();
  const classifier = await Classifier.load(modelDir, { threads, workers, batchSize: 32, batchWaitMs: 0, cacheSize: 0, maxBatchTokens, sessionOptions: ort ? JSON.parse(ort) : undefined });
  const cold = (performance.now() - started) / 1000;
  const step = mode === "single" ? 1 : mode === "batched" ? BATCH_CALL : texts.length;
  const times: number[] = [];
  const t0 = performance.now();
  let next = 0;
  const callers = mode === "batched" ? workers : 1;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let i = next; i < texts.length; i = next) {
        next += step;
        const t = performance.now();
        // "all" is what a batch job does: one call in the background lane (sorted by length in groups, each sent as tokenised)
        await classifier.classify(texts.slice(i, i + step), mode === "all" ? "background" : "interactive");
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await classifier.close();
  const result: Measurement = {
    texts_per_second: texts.length / seconds,
    p50_ms: percentile(times, 50),
    p95_ms: percentile(times, 95),
    cold_load_s: cold,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
  };
  console.log(JSON.stringify(result));
}

function runJson(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Measurement {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, env, encoding: "utf8", maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${path.basename(command)} ${args.join(" ")} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Measurement;
}

function torchAvailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ["-c", "import torch, onnx"], { env: PYTHON_ENV, encoding: "utf8" });
  return probe.status === 0 ? null : "Debian's python3-torch / python3-onnx are not installed (apt-get install -y python3-torch python3-onnx libopenblas0-openmp)";
}

function ensureQuantized(fp32Dir: string, int8Dir: string, driftRows: number | null) {
  const stale = !existsSync(path.join(int8Dir, "model.onnx")) || statSync(path.join(int8Dir, "model.onnx")).mtimeMs < statSync(path.join(fp32Dir, "model.onnx")).mtimeMs;
  if (!stale) return;
  console.error(`quantizing ${path.relative(REPO_ROOT, fp32Dir)} -> ${path.relative(REPO_ROOT, int8Dir)} ...`);
  const drift = driftRows === null ? ["--no-drift"] : ["--drift-rows", String(driftRows)];
  execFileSync(TSX, ["scripts/quantize.ts", "--model", fp32Dir, "--out", int8Dir, "--force", ...drift], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"] });
}

function devTexts(count: number): string[] {
  // Round-robin over the dev sets, so every dataset's lengths are represented.
  const sets = labelledSplitFiles(process.env.BENCH_DATA ?? SHARED_DATA_DIR, "dev").map(({ file }) => readLabelledCsv(file).map((r) => r.text));
  if (sets.length === 0) throw new Error(`no dev sets under ${process.env.BENCH_DATA ?? SHARED_DATA_DIR} (set BENCH_DATA)`);
  const texts: string[] = [];
  for (let i = 0; texts.length < count && sets.some((s) => i < s.length); i++) for (const s of sets) if (i < s.length && texts.length < count) texts.push(s[i]!);
  return texts;
}

function table(rows: [string, Measurement][], baseline: Measurement | null): string {
  const f1 = (x: number) => x.toFixed(1);
  return [
    `| path | texts/s | p50 ms | p95 ms | cold load s | peak RSS MiB |${baseline ? " × PyTorch |" : ""}`,
    `|---|---:|---:|---:|---:|---:|${baseline ? "---:|" : ""}`,
    ...rows.map(([name, m]) =>
      `| ${name} | ${f1(m.texts_per_second)} | ${f1(m.p50_ms)} | ${f1(m.p95_ms)} | ${m.cold_load_s.toFixed(2)} | ${Math.round(m.peak_rss_mib)} |${baseline ? ` ${(m.texts_per_second / baseline.texts_per_second).toFixed(2)}x |` : ""}`),
  ].join("\n");
}

function ours(label: string, fp32Dir: string, int8Dir: string, textsFile: string, ort: string | undefined, threads: number, workers: number, maxBatchTokens: number): [string, Measurement][] {
  const rows: [string, Measurement][] = [];
  for (const [precision, dir] of [["fp32", fp32Dir], ["int8", int8Dir]] as const) {
    // "all": one classify() call with every text, as a CSV batch job makes (sorted by length in groups, each sent as soon as it is tokenised).
    for (const mode of precision === "int8" ? (["single", "batched", "all"] as const) : (["single", "batched"] as const)) {
      console.error(`${label} ${precision} ${mode} ...`);
      const args = ["scripts/benchCompareTorch.ts", "--worker", "--model", dir, "--texts-file", textsFile, "--mode", mode, "--threads", String(threads), "--workers", String(workers), "--max-batch-tokens", String(maxBatchTokens), ...(ort ? ["--ort", ort] : [])];
      const name = mode === "single" ? "one by one" : mode === "batched" ? `batched (calls of ${BATCH_CALL} texts)` : "batched (one call with all texts)";
      rows.push([`ours ${precision}, ${name}`, runJson(TSX, args)]);
    }
  }
  return rows;
}

export async function compareTorch(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { "compare-torch": { type: "boolean" }, texts: { type: "string" }, ort: { type: "string" }, threads: { type: "string" }, "torch-threads": { type: "string" }, workers: { type: "string" }, "max-batch-tokens": { type: "string" } } });
  const maxBatchTokens = Number(values["max-batch-tokens"] ?? 4096);
  const count = Number(values.texts ?? 256);
  const threads = Number(values.threads ?? 2);
  const workers = Number(values.workers ?? 1);
  // PyTorch keeps the cores ours uses in all (workers x threads) unless told: the server's default is 1 thread per worker
  const torchThreads = Number(values["torch-threads"] ?? threads * workers);
  mkdirSync(BENCH_DIR, { recursive: true });
  const texts = devTexts(count);
  const textsFile = path.join(BENCH_DIR, "texts.json");
  writeFileSync(textsFile, JSON.stringify(texts));
  const report: string[] = [
    `${texts.length} dev texts, PyTorch ${torchThreads} thread(s), ours ${workers} inference worker(s) x ${threads} ONNX Runtime thread(s), runs of at most ${maxBatchTokens} padded tokens, OpenBLAS core ${OPENBLAS_CORETYPE ?? "auto-detected"}, ${new Date().toISOString()}${values.ort ? `, ORT options ${values.ort}` : ""}`,
  ];

  const noTorch = torchAvailable();
  if (noTorch) {
    report.push(`\nPhoBERT-base shape: skipped (${noTorch}).`);
  } else {
    if (!existsSync(path.join(PHOBERT_DIR, "model.onnx")) || !existsSync(path.join(PHOBERT_DIR, "torch_state.pt"))) {
      console.error("building the PhoBERT-base-shaped model once (models/bench/, git-ignored) ...");
      execFileSync(PYTHON, [TORCH_SCRIPT, "build", "--out", PHOBERT_DIR], { env: PYTHON_ENV, stdio: "inherit" });
    }
    ensureQuantized(PHOBERT_DIR, `${PHOBERT_DIR}-int8`, 60);
    const model = readModelFolder(PHOBERT_DIR);
    const encoder = new TextEncoder(model.tokenizerJson, loadWordDictionary(SEGMENTER_WORDS_PATH));
    const ids = texts.map((t) => [model.bosId, ...encoder.encode(t).ids.slice(0, model.maxLength - 2), model.eosId]);
    const idsFile = path.join(BENCH_DIR, "ids.json");
    writeFileSync(idsFile, JSON.stringify(ids));
    console.error("PyTorch eager one by one ...");
    const torch = runJson(PYTHON, [TORCH_SCRIPT, "bench", "--model", PHOBERT_DIR, "--ids", idsFile, "--threads", String(torchThreads)], PYTHON_ENV);
    const rows = ours("PhoBERT-base shape", PHOBERT_DIR, `${PHOBERT_DIR}-int8`, textsFile, values.ort, threads, workers, maxBatchTokens);
    const meanTokens = ids.reduce((n, x) => n + x.length, 0) / ids.length;
    report.push(`\nPhoBERT-base shape (135M parameters, random weights), mean ${meanTokens.toFixed(1)} tokens per text:\n`, table([["PyTorch eager fp32, one by one", torch], ...rows], torch));
  }
  const bundledInt8 = path.join(BENCH_DIR, "default-int8");
  ensureQuantized(DEFAULT_MODEL_DIR, bundledInt8, null);
  report.push(`\nBundled model (models/default, ${readModelFolder(DEFAULT_MODEL_DIR).modelId}):\n`, table(ours("bundled", DEFAULT_MODEL_DIR, bundledInt8, textsFile, values.ort, threads, workers, maxBatchTokens), null));
  console.log(report.join("\n"));
}

const args = process.argv.slice(2);
if (args.includes("--worker")) {
  const { values } = parseArgs({ args, options: { worker: { type: "boolean" }, model: { type: "string" }, "texts-file": { type: "string" }, mode: { type: "string" }, ort: { type: "string" }, threads: { type: "string" }, workers: { type: "string" }, "max-batch-tokens": { type: "string" } } });
  await worker(values.model!, values["texts-file"]!, values.mode === "batched" || values.mode === "all" ? values.mode : "single", values.ort, Number(values.threads ?? 2), Number(values.workers ?? 1), Number(values["max-batch-tokens"] ?? 4096));
}
