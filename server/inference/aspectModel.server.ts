// The aspect model: which aspects of a review's domain it speaks of and with what polarity. Reads its folder
// (model.onnx, tokenizer.json, config.json), runs ONNX Runtime behind one function, analyseAspects(texts, options).
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ort from "onnxruntime-node";
import { loadWordDictionary } from "../text/segment.ts";
import { SEGMENTER_WORDS_PATH } from "../repoPaths.ts";
import { aspectAxisSize, GENERAL_DOMAIN, parseAspectConfig, type AspectConfig, type AspectDomain } from "./aspectConfig.ts";
import { aspectProbabilitiesOfRow, foundAspects, pickDomain, poolAspectWindows, type AspectProbabilities, type FoundAspect } from "./aspectScores.ts";
import { planBatches, SEND_GROUP_RUNS } from "./batchPlanner.ts";
import { ModelFolderError } from "./modelFolder.server.ts";
import { InferencePool, type PooledModel, type WireTensor } from "./workerPool.server.ts";
import { PriorityRuns, type Lane } from "./priorityRuns.ts";
import { inferenceSessionOptions } from "./sessionOptions.ts";
import { servedTextEncoder, type TextEncoder } from "./textEncoder.ts";
import { combineWindowProbabilities, softmax, splitIntoWindows } from "./windows.ts";
import { inputTensors } from "./inputTensors.ts";
import { MainThreadSlices } from "../mainThreadSlices.ts";

export const AUTO_DOMAIN = "auto";

export type AspectModelOptions = {
  threads: number;
  /** Most windows per ONNX Runtime run. */
  batchSize: number;
  /** Most padded tokens (rows x widest row) per run. */
  maxBatchTokens: number;
  /** `auto` falls back to the general aspects when the domain head's top probability is below this. */
  autoMinConfidence: number;
  /** The server's inference pool, shared with the sentence models; without one the model gets a worker of its own. */
  pool?: InferencePool;
};

export type AspectAnalysis = {
  /** The domain whose aspects were read: the one asked for, or the one `auto` picked. */
  domain: string;
  /** The domain head's probability of its top domain when `auto` picked (null when a domain was given). */
  domainConfidence: number | null;
  aspects: FoundAspect[];
};

type RowOutput = { aspects: AspectProbabilities; domains: number[] };

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ModelFolderError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

export type AspectModelFolder = { dir: string; modelPath: string; tokenizerJson: object; config: AspectConfig };

export function readAspectModelFolder(dir: string): AspectModelFolder {
  const resolved = path.resolve(dir);
  if (!existsSync(resolved) || !statSync(resolved).isDirectory()) {
    throw new ModelFolderError(`aspect model folder not found: ${resolved} (set ASPECT_MODEL_DIR to a folder with model.onnx, tokenizer.json and config.json, or ASPECT_MODEL_ENABLED=false)`);
  }
  const file = (name: string) => path.join(resolved, name);
  for (const name of ["model.onnx", "tokenizer.json", "config.json"]) {
    if (!existsSync(file(name))) throw new ModelFolderError(`${file(name)}: missing (an aspect model folder needs model.onnx, tokenizer.json and config.json)`);
  }
  let config: AspectConfig;
  try {
    config = parseAspectConfig(readJson(file("config.json")));
  } catch (error) {
    if (error instanceof ModelFolderError) throw error;
    throw new ModelFolderError(`${file("config.json")}: ${(error as Error).message}`);
  }
  const tokenizerJson = readJson(file("tokenizer.json"));
  if (typeof tokenizerJson !== "object" || tokenizerJson === null || !("model" in tokenizerJson)) {
    throw new ModelFolderError(`${file("tokenizer.json")}: not a tokenizer.json (no "model" section)`);
  }
  return { dir: resolved, modelPath: file("model.onnx"), tokenizerJson, config };
}

export class AspectModel {
  private readonly runs: PriorityRuns<number[][], RowOutput[]>;
  private readonly axis: number;

  private constructor(
    readonly folder: AspectModelFolder,
    private readonly pool: InferencePool,
    private readonly session: PooledModel,
    private readonly encoder: TextEncoder,
    private readonly options: AspectModelOptions,
  ) {
    this.axis = aspectAxisSize(folder.config);
    this.runs = new PriorityRuns((rows, lane) => this.runRows(rows, lane), { laneLimits: pool.capacity });
  }

  static async load(dir: string, options: AspectModelOptions): Promise<AspectModel> {
    const folder = readAspectModelFolder(dir);
    // runs in inference workers, never on the event loop: the server's pool, or one worker of its own
    const pool = options.pool ?? new InferencePool(1);
    const release = () => (options.pool ? Promise.resolve() : pool.close());
    let session: PooledModel;
    try {
      session = await pool.loadModel(folder.modelPath, inferenceSessionOptions(options.threads) as Record<string, unknown>);
    } catch (error) {
      await release();
      throw new ModelFolderError(`${folder.modelPath}: ONNX Runtime cannot load it (${(error as Error).message.split("\n")[0]})`);
    }
    const missing = [
      ...["input_ids", "attention_mask"].filter((name) => !session.inputNames.includes(name)).map((name) => `no input "${name}" (inputs: ${session.inputNames.join(", ")})`),
      ...["aspect_logits", "domain_logits"].filter((name) => !session.outputNames.includes(name)).map((name) => `no output "${name}" (outputs: ${session.outputNames.join(", ")})`),
    ];
    if (missing.length) {
      if (options.pool) await pool.unloadModel(session.key);
      await release();
      throw new ModelFolderError(`${folder.modelPath}: the graph has ${missing[0]}`);
    }
    let encoder: TextEncoder;
    try {
      encoder = servedTextEncoder(folder.tokenizerJson, loadWordDictionary(SEGMENTER_WORDS_PATH), folder.config.segmentation);
    } catch (error) {
      if (options.pool) await pool.unloadModel(session.key);
      await release();
      throw new ModelFolderError(`${folder.dir}/tokenizer.json: cannot build a tokenizer from it (${(error as Error).message})`);
    }
    const model = new AspectModel(folder, pool, session, encoder, options);
    // Warm-up, which also proves the output shapes match config.json (runRows checks them).
    await model.analyseAspects(["Pin trâu, giao hàng nhanh."], { domain: AUTO_DOMAIN, lane: "interactive" });
    return model;
  }

  get version(): string {
    return this.folder.config.version;
  }

  get domains(): AspectDomain[] {
    return this.folder.config.domains;
  }

  /** True for `auto` and every domain id of config.json. */
  acceptsDomain(domain: string): boolean {
    return domain === AUTO_DOMAIN || this.domains.some((d) => d.id === domain);
  }

  /** ONNX runs waiting, per lane. */
  get queuedRuns(): Record<Lane, number> {
    return this.runs.queued;
  }

  /**
   * Aspects per text, in order, for `domain` (a domain id, or `auto`: picked per text from the domain head).
   * `background` runs (batch jobs) wait while interactive ones are queued.
   */
  async analyseAspects(texts: string[], options: { domain: string; lane: Lane }): Promise<AspectAnalysis[]> {
    const { config } = this.folder;
    const fixed = options.domain === AUTO_DOMAIN ? null : config.domains.find((d) => d.id === options.domain);
    if (options.domain !== AUTO_DOMAIN && !fixed) throw new Error(`unknown aspect domain "${options.domain}"`);
    const windowSize = config.max_length - 2;
    const pending: { ids: number[]; text: number }[] = [];
    const windowsPerText: number[][][] = [];
    const outputs = new Array<RowOutput>();
    const sent: Promise<void>[] = [];
    let group: number[] = [];
    let groupTokens = 0;
    // tokenising thousands of texts is CPU work on the main thread: it gives other requests a turn now and then
    const slices = new MainThreadSlices();
    for (let i = 0; i < texts.length; i++) {
      if (slices.due) await slices.yield();
      if (groupTokens >= SEND_GROUP_RUNS * this.options.maxBatchTokens) {
        const running = this.runGroup(group, pending, outputs, options.lane);
        // it may fail while this loop still yields: the Promise.all below reports it; until then it is not unhandled
        running.catch(() => undefined);
        sent.push(running);
        [group, groupTokens] = [[], 0];
      }
      const windows = splitIntoWindows(this.encoder.encode(texts[i]!).ids, windowSize);
      windowsPerText.push(windows);
      for (const ids of windows) {
        group.push(pending.length);
        groupTokens += ids.length;
        pending.push({ ids, text: i });
      }
    }
    if (group.length > 0) sent.push(this.runGroup(group, pending, outputs, options.lane));
    await Promise.all(sent);
    const byText: RowOutput[][] = texts.map(() => []);
    pending.forEach((p, i) => byText[p.text]!.push(outputs[i]!));
    return byText.map((rows, t) => {
      const aspects = poolAspectWindows(rows.map((r) => r.aspects));
      let domain = fixed;
      let domainConfidence: number | null = null;
      if (!domain) {
        // a windowed text's domain: its windows' softmaxes averaged by their tokens, as the sentence model's labels
        const probabilities = combineWindowProbabilities(rows.map((r, w) => ({ probabilities: r.domains, tokens: windowsPerText[t]![w]!.length })));
        const picked = pickDomain(probabilities, config.domain_head, this.options.autoMinConfidence);
        domain = config.domains.find((d) => d.id === picked.domain) ?? config.domains.find((d) => d.id === GENERAL_DOMAIN)!;
        domainConfidence = picked.confidence;
      }
      return { domain: domain.id, domainConfidence, aspects: foundAspects(aspects, domain) };
    });
  }

  /** Runs a group of pending windows (by index), sorted by length and cut into runs; each output goes to its index. */
  private async runGroup(group: number[], pending: { ids: number[] }[], outputs: RowOutput[], lane: Lane): Promise<void> {
    const order = [...group].sort((a, b) => pending[a]!.ids.length - pending[b]!.ids.length);
    const lengths = order.map((i) => pending[i]!.ids.length);
    await Promise.all(
      planBatches(lengths, this.options.batchSize, this.options.maxBatchTokens).map(async ([start, end]) => {
        const slice = order.slice(start, end);
        const results = await this.runs.add(lane, slice.map((i) => pending[i]!.ids));
        slice.forEach((i, row) => (outputs[i] = results[row]!));
      }),
    );
  }

  /** One ONNX run over rows of content ids (<s> and </s> added here). */
  private async runRows(rows: number[][], lane: Lane): Promise<RowOutput[]> {
    const { config, modelPath } = this.folder;
    const { ids, mask, dims } = inputTensors(rows, { bos: config.bos_token_id, eos: config.eos_token_id, pad: config.pad_token_id });
    const feeds: Record<string, WireTensor> = { input_ids: { type: "int64", data: ids, dims }, attention_mask: { type: "int64", data: mask, dims } };
    const { outputs } = await this.pool.run(this.session, lane, feeds, ["aspect_logits", "domain_logits"]);
    const aspectLogits = outputs.aspect_logits!;
    const domainLogits = outputs.domain_logits!;
    const [, axis, classes] = aspectLogits.dims;
    if (axis !== this.axis || classes !== 4) {
      throw new ModelFolderError(`${modelPath}: aspect_logits are [batch, ${axis}, ${classes}] but config.json needs [batch, ${this.axis}, 4]`);
    }
    const domains = domainLogits.dims[1]!;
    if (domains !== config.domain_head.length) {
      throw new ModelFolderError(`${modelPath}: domain_logits have ${domains} domains but config.json's domain_head names ${config.domain_head.length}`);
    }
    const aspectData = aspectLogits.data as Float32Array;
    const domainData = domainLogits.data as Float32Array;
    const temperature = config.calibration.temperature;
    return rows.map((_, row) => ({
      aspects: aspectProbabilitiesOfRow(aspectData, row, this.axis, temperature),
      domains: softmax(domainData.subarray(row * domains, (row + 1) * domains)),
    }));
  }

  async close(): Promise<void> {
    await this.runs.close(new Error("the aspect model is closed"));
    if (this.options.pool) await this.pool.unloadModel(this.session.key);
    else await this.pool.close();
  }
}
