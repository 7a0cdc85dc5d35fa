// The inference module's one interface: classify(texts) -> label and probabilities per text. Behind it an
// ONNX Runtime session of a RoBERTa/PhoBERT sequence classifier in a pool of worker threads, fed micro-batched,
// length-sorted windows; this thread only tokenises, queues and answers.
import type ort from "onnxruntime-node";
import { loadWordDictionary } from "../text/segment.ts";
import { readModelFolder, ModelFolderError, type ModelFolder } from "./modelFolder.server.ts";
import { SEGMENTER_WORDS_PATH } from "../repoPaths.ts";
import { servedTextEncoder, type TextEncoder } from "./textEncoder.ts";
import { calibratedProbabilities } from "./calibration.ts";
import { combineWindowProbabilities, splitIntoWindows } from "./windows.ts";
import { inputTensors } from "./inputTensors.ts";
import { occlusionEffects, occlusionRows, type Explanation } from "./occlusion.ts";
import { planBatches, SEND_GROUP_RUNS } from "./batchPlanner.ts";
import { PriorityRuns, type Lane } from "./priorityRuns.ts";
import { classifyThroughCache, ResultCache } from "./resultCache.ts";
import { inferenceSessionOptions } from "./sessionOptions.ts";
import { InferencePool, type PooledModel, type WireTensor } from "./workerPool.server.ts";
import { normalizeText } from "../text/normalize.ts";
import { MainThreadSlices } from "../mainThreadSlices.ts";
import { wordSpans } from "../text/wordSpans.ts";

export type Classification = {
  label: string;
  confidence: number;
  probabilities: Record<string, number>;
  tokenCount: number;
  windowed: boolean;
  modelId: string;
  modelVersion: string;
};

/** What the classifier reports as it works (the app turns it into metrics; this module imports no metrics library). */
export type InferenceObserver = {
  /** After each classify(): how many of its texts came from the result cache and how many were computed. */
  cacheLookups?(hits: number, misses: number): void;
  /** After each ONNX Runtime run. */
  batchRun?(batch: { rows: number; paddedTokens: number; seconds: number }): void;
  /** An inference worker thread died (it is replaced, and the run it held retried once). */
  workerExited?(event: { exitCode: number; error: Error | null; retried: number }): void;
};

export type ClassifierOptions = {
  /** ONNX Runtime intra-op threads per worker. */
  threads: number;
  /** Worker threads of the classifier's own pool (ignored with `pool`); default 1. */
  workers?: number;
  /** A pool shared with other models; the classifier then leaves closing it to its owner. */
  pool?: InferencePool;
  /** Most windows per ONNX Runtime run. */
  batchSize: number;
  batchWaitMs: number;
  /** Most padded tokens (rows x widest row) per run; defaults to batchSize full-length windows. */
  maxBatchTokens?: number;
  /** Recent results kept, keyed by model version and normalised text; 0 turns the cache off. */
  cacheSize?: number;
  observer?: InferenceObserver;
  /** Overrides of the measured ONNX Runtime session options (benchmarks compare them). */
  sessionOptions?: ort.InferenceSession.SessionOptions;
  /** Plain softmax even when config.json has a calibration (to fit a new one on the raw outputs). */
  ignoreCalibration?: boolean;
};

type PendingWindow = { ids: number[]; resolve: (probabilities: number[]) => void; reject: (error: unknown) => void };

export type { Lane };

export class Classifier {
  /** Interactive windows collected during the batching wait. */
  private queue: PendingWindow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly runs: PriorityRuns<number[][], number[][]>;
  private closed = false;
  private readonly cache: ResultCache<Classification>;

  private constructor(
    readonly model: ModelFolder,
    private readonly pool: InferencePool,
    private readonly session: PooledModel,
    private readonly encoder: TextEncoder,
    private readonly options: ClassifierOptions,
  ) {
    this.cache = new ResultCache(options.cacheSize ?? 0);
    // windows waiting out the batching wait go now when a run ends: the wait exists to fill a batch, not to idle.
    // Each lane has its own limit here; the pool decides which lane's run a free worker takes.
    this.runs = new PriorityRuns((rows, lane) => this.runRows(rows, lane), {
      beforePick: () => this.queue.length > 0 && this.flush(), laneLimits: pool.capacity,
    });
  }

  static async load(dir: string, options: ClassifierOptions): Promise<Classifier> {
    const model = readModelFolder(dir);
    let encoder: TextEncoder;
    try {
      encoder = servedTextEncoder(model.tokenizerJson, model.wordSegmented ? loadWordDictionary(SEGMENTER_WORDS_PATH) : null, model.segmentation);
    } catch (error) {
      throw new ModelFolderError(`${model.dir}/tokenizer.json: cannot build a tokenizer from it (${(error as Error).message})`);
    }
    const pool = options.pool ?? new InferencePool(options.workers ?? 1, { workerExited: (event) => options.observer?.workerExited?.(event) });
    let classifier: Classifier | null = null;
    let session: PooledModel | null = null;
    try {
      try {
        const sessionOptions = { ...inferenceSessionOptions(options.threads), ...options.sessionOptions } as Record<string, unknown>;
        session = await pool.loadModel(model.modelPath, sessionOptions);
      } catch (error) {
        throw new ModelFolderError(`${model.modelPath}: ONNX Runtime cannot load it (${(error as Error).message.split("\n")[0]})`);
      }
      for (const name of ["input_ids", "attention_mask"]) {
        if (!session.inputNames.includes(name)) throw new ModelFolderError(`${model.modelPath}: the graph has no input "${name}" (inputs: ${session.inputNames.join(", ")})`);
      }
      if (!session.outputNames.includes("logits")) throw new ModelFolderError(`${model.modelPath}: the graph has no output "logits" (outputs: ${session.outputNames.join(", ")})`);
      classifier = new Classifier(model, pool, session, encoder, options);
      // Warm-up, one run per worker (all idle now, so each takes one): a session's first run allocates and
      // optimises; it also proves logits match the labels.
      const ids = encoder.encode("Sản phẩm tốt, giao hàng nhanh.").ids;
      const warm = await Promise.all(Array.from({ length: pool.capacity.interactive }, () => classifier!.runs.add("interactive", [ids])));
      if (warm.some(([probabilities]) => !probabilities || probabilities.some((p) => !Number.isFinite(p)))) {
        throw new ModelFolderError(`${model.modelPath}: warm-up produced no finite probabilities`);
      }
      return classifier;
    } catch (error) {
      if (classifier) await classifier.close();
      else if (!options.pool) await pool.close();
      // a shared pool lives on: a session it loaded for a folder refused here must not stay in its workers
      else if (session) await pool.unloadModel(session.key);
      throw error;
    }
  }

  /** Worker threads running this classifier's model. */
  get workers(): number {
    return this.pool.size;
  }

  get labels(): string[] {
    return this.model.labels;
  }

  /** The text exactly as the model's tokenizer receives it (normalised, word-segmented). */
  preprocess(text: string): string {
    return this.encoder.preprocess(text);
  }

  /** ONNX runs waiting, per lane (for /metrics). */
  get queuedRuns(): Record<Lane, number> {
    return this.runs.queued;
  }

  /** Result-cache counters since load (the cache holds at most `cacheSize` entries). */
  get cacheStats(): { size: number; hits: number; misses: number } {
    return { size: this.cache.size, hits: this.cache.hits, misses: this.cache.misses };
  }

  /**
   * Label and probabilities per text, in order. `background` work (batch jobs) runs after waiting interactive work
   * (with the pool's floor for background runs); its texts are sorted by length in groups (SEND_GROUP_RUNS), so hand it
   * large calls (a chunk).
   */
  async classify(texts: string[], lane: Lane = "interactive"): Promise<Classification[]> {
    if (this.cache.capacity <= 0) return this.classifyUncached(texts, lane);
    const [hits, misses] = [this.cache.hits, this.cache.misses];
    const key = (text: string) => `${this.model.version}\u0000${normalizeText(text)}`;
    const copy = (c: Classification): Classification => ({ ...c, probabilities: { ...c.probabilities } });
    const results = await classifyThroughCache(this.cache, texts, key, (missing) => this.classifyUncached(missing, lane), copy);
    this.options.observer?.cacheLookups?.(this.cache.hits - hits, this.cache.misses - misses);
    return results;
  }

  private async classifyUncached(texts: string[], lane: Lane): Promise<Classification[]> {
    const windowSize = this.model.maxLength - 2;
    const perText: Promise<{ probabilities: number[]; tokenCount: number; windowed: boolean }>[] = [];
    let background: PendingWindow[] = [];
    let heldTokens = 0;
    const enqueue = lane === "interactive" ? (ids: number[]) => this.enqueue(ids) : (ids: number[]) => {
      heldTokens += ids.length;
      return this.hold(ids, background);
    };
    // tokenising thousands of texts is CPU work on the main thread: it gives other requests a turn now and then
    const slices = new MainThreadSlices();
    for (const text of texts) {
      if (slices.due) await slices.yield();
      if (heldTokens >= SEND_GROUP_RUNS * this.maxBatchTokens) {
        this.submit("background", background);
        [background, heldTokens] = [[], 0];
      }
      const { ids } = this.encoder.encode(text);
      const windows = splitIntoWindows(ids, windowSize);
      const result = Promise.all(windows.map((w) => enqueue(w))).then((probs) => ({
        probabilities: probs.length === 1 ? probs[0]! : combineWindowProbabilities(probs.map((p, i) => ({ probabilities: p, tokens: windows[i]!.length }))),
        tokenCount: ids.length,
        windowed: windows.length > 1,
      }));
      // a run sent before the loop ends may fail while the loop still yields: the Promise.all below reports it, and
      // until then it must not count as unhandled (which would end the process)
      result.catch(() => undefined);
      perText.push(result);
    }
    if (background.length > 0) this.submit("background", background);
    const results = await Promise.all(perText);
    return results.map(({ probabilities, tokenCount, windowed }) => {
      let best = 0;
      probabilities.forEach((p, i) => (p > probabilities[best]! ? (best = i) : undefined));
      return {
        label: this.model.labels[best]!,
        confidence: probabilities[best]!,
        probabilities: Object.fromEntries(this.model.labels.map((label, i) => [label, probabilities[i] ?? 0])),
        tokenCount,
        windowed,
        modelId: this.model.modelId,
        modelVersion: this.model.version,
      };
    });
  }

  /**
   * Occlusion explanation of one text: the text and each of its one-word-shorter variants in one ONNX run.
   * Null when the text needs more than one window or has more than `maxWords` words.
   */
  async explain(text: string, maxWords: number): Promise<Explanation | null> {
    const words = this.encoder.words(text);
    if (words.length === 0 || words.length > maxWords) return null;
    // BPE works word by word, so each word is encoded once and the variants are concatenations
    const rows = occlusionRows(words.map((word) => this.encoder.encodeWords([word]))).map((variant) => variant.flat());
    if (rows[0]!.length > this.model.maxLength - 2) return null;
    // one run of its own, in the interactive lane
    const probabilities = await this.runs.add("interactive", rows);
    return occlusionEffects(words, wordSpans(text, words), probabilities, this.model.labels);
  }

  private enqueue(ids: number[]): Promise<number[]> {
    if (this.closed) return Promise.reject(new Error("the classifier is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ ids, resolve, reject });
      // Batching pays when runs are already in flight; on an idle model the wait would only add latency. Texts
      // sent in the same tick still go as one run (the flush comes after them).
      if (this.queue.length >= this.options.batchSize || this.runs.hasRoom("interactive")) this.flushSoon(0);
      else this.flushSoon(this.options.batchWaitMs);
    });
  }

  /** A background window waits in its call's list until the call is tokenised whole. */
  private hold(ids: number[], into: PendingWindow[]): Promise<number[]> {
    if (this.closed) return Promise.reject(new Error("the classifier is closed"));
    return new Promise((resolve, reject) => into.push({ ids, resolve, reject }));
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delayMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.queue;
    this.queue = [];
    this.submit("interactive", pending);
  }

  private get maxBatchTokens(): number {
    return this.options.maxBatchTokens ?? this.options.batchSize * this.model.maxLength;
  }

  /** Sorts windows by length, cuts them into micro-batches and queues each as one run in `lane`. */
  private submit(lane: Lane, windows: PendingWindow[]): void {
    windows.sort((a, b) => a.ids.length - b.ids.length);
    for (const [start, end] of planBatches(windows.map((w) => w.ids.length), this.options.batchSize, this.maxBatchTokens)) {
      const batch = windows.slice(start, end);
      this.runs.add(lane, batch.map((w) => w.ids)).then(
        (probabilities) => batch.forEach((w, row) => w.resolve(probabilities[row]!)),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      );
    }
  }

  /** One ONNX run over rows of content ids (<s> and </s> added here); (calibrated) probabilities per row. */
  private async runRows(rows: number[][], lane: Lane): Promise<number[][]> {
    const { ids, mask, dims } = inputTensors(rows, { bos: this.model.bosId, eos: this.model.eosId, pad: this.model.padId });
    const [, width] = dims;
    const feeds: Record<string, WireTensor> = { input_ids: { type: "int64", data: ids, dims }, attention_mask: { type: "int64", data: mask, dims } };
    if (this.session.inputNames.includes("token_type_ids")) feeds.token_type_ids = { type: "int64", data: new BigInt64Array(rows.length * width), dims };
    const { outputs, seconds } = await this.pool.run(this.session, lane, feeds, ["logits"]);
    this.options.observer?.batchRun?.({ rows: rows.length, paddedTokens: rows.length * width, seconds });
    const logits = outputs.logits!;
    const classes = logits.dims[logits.dims.length - 1]!;
    if (classes !== this.model.labels.length) {
      throw new ModelFolderError(`${this.model.modelPath}: logits have ${classes} classes but config.json names ${this.model.labels.length} labels`);
    }
    const data = logits.data as Float32Array;
    const calibration = this.options.ignoreCalibration ? null : this.model.calibration;
    return rows.map((_, row) => calibratedProbabilities(data.subarray(row * classes, (row + 1) * classes), calibration));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const pending of this.queue.splice(0)) pending.reject(new Error("the classifier is closed"));
    await this.runs.close(new Error("the classifier is closed"));
    if (this.options.pool) await this.pool.unloadModel(this.session.key);
    else await this.pool.close();
  }
}
