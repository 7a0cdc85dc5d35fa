// Reads and checks a model folder (model.onnx, tokenizer.json, config.json, MODEL_CARD.md). Accepts our own
// config.json and a Hugging Face export's (id2label, max_position_embeddings), so a real PhoBERT drops in.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod/v4";
import { SEGMENTATION_RULES, type SegmentationRules } from "../text/segment.ts";
import { calibrationFor, CalibrationConfigSchema, type Calibration } from "./calibration.ts";

export class ModelFolderError extends Error {}

const ConfigSchema = z
  .object({
    model_id: z.string().min(1).optional(),
    _name_or_path: z.string().optional(),
    version: z.string().min(1).optional(),
    labels: z.array(z.string().min(1)).min(2).optional(),
    id2label: z.record(z.string(), z.string()).optional(),
    max_length: z.number().int().min(8).optional(),
    max_position_embeddings: z.number().int().optional(),
    word_segmented: z.boolean().optional(),
    segmentation: z.enum(SEGMENTATION_RULES).optional(),
    pad_token_id: z.number().int().optional(),
    bos_token_id: z.number().int().optional(),
    eos_token_id: z.number().int().optional(),
    calibration: CalibrationConfigSchema.optional(),
  })
  .loose();

export type ModelFolder = {
  dir: string;
  modelPath: string;
  tokenizerJson: object;
  modelId: string;
  version: string;
  labels: string[];
  /** Positions per window including <s> and </s>. */
  maxLength: number;
  wordSegmented: boolean;
  /** Which tokenizer rules the model was trained with ("vncorenlp" unless config.json says otherwise). */
  segmentation: SegmentationRules;
  padId: number;
  bosId: number;
  eosId: number;
  /** From config.json's "calibration" (temperature, class_biases); null when the folder has none. */
  calibration: Calibration | null;
};

/** The labels the app shows (and translates), and the other names sentiment models give them (NEG/NEU/POS...). */
const SENTIMENT_LABEL_NAMES: Record<string, string> = {
  negative: "negative", neg: "negative", "tiêu cực": "negative",
  neutral: "neutral", neu: "neutral", "trung tính": "neutral", "trung lập": "neutral",
  positive: "positive", pos: "positive", "tích cực": "positive",
};

/** A label as the app names it, whatever a model calls it; undefined for one the app cannot show. */
function sentimentLabel(name: string): string | undefined {
  return SENTIMENT_LABEL_NAMES[name.normalize("NFC").trim().toLowerCase()];
}

/** Each logit's label as the app names it; a label it cannot show, or two logits with one label, is refused. */
function sentimentLabels(named: readonly string[], configFile: string): string[] {
  const labels = named.map((name) => {
    const label = sentimentLabel(name);
    if (!label) {
      throw new ModelFolderError(`${configFile}: label "${name}" is not one this app knows (negative, neutral, positive; NEG, NEU, POS); name each logit in "labels", in logit order, e.g. ["negative", "neutral", "positive"]`);
    }
    return label;
  });
  const repeated = labels.find((label, i) => labels.indexOf(label) !== i);
  if (repeated) throw new ModelFolderError(`${configFile}: two logits are labelled "${repeated}" (${named.join(", ")})`);
  return labels;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ModelFolderError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

export function readModelFolder(dir: string): ModelFolder {
  const resolved = path.resolve(dir);
  if (!existsSync(resolved) || !statSync(resolved).isDirectory()) throw new ModelFolderError(`model folder not found: ${resolved} (set MODEL_DIR to a folder with model.onnx, tokenizer.json and config.json)`);
  const file = (name: string) => path.join(resolved, name);
  for (const name of ["model.onnx", "tokenizer.json", "config.json"]) {
    if (!existsSync(file(name))) throw new ModelFolderError(`${file(name)}: missing (a model folder needs model.onnx, tokenizer.json and config.json)`);
  }
  const parsed = ConfigSchema.safeParse(readJson(file("config.json")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelFolderError(`${file("config.json")}: field "${issue.path.join(".")}": ${issue.message}`);
  }
  const config = parsed.data;
  const named =
    config.labels ??
    (config.id2label ? Object.entries(config.id2label).sort(([a], [b]) => Number(a) - Number(b)).map(([, label]) => label) : undefined);
  if (!named || named.length < 2) throw new ModelFolderError(`${file("config.json")}: needs "labels" (in logit order) or "id2label"`);
  const labels = sentimentLabels(named, file("config.json"));
  const tokenizerJson = readJson(file("tokenizer.json"));
  if (typeof tokenizerJson !== "object" || tokenizerJson === null || !("model" in tokenizerJson)) {
    throw new ModelFolderError(`${file("tokenizer.json")}: not a tokenizer.json (no "model" section)`);
  }
  let calibration: Calibration | null = null;
  try {
    // class biases are keyed by label, as the model names them or as the app does
    const biases = config.calibration?.class_biases;
    calibration = config.calibration
      ? calibrationFor({ ...config.calibration, ...(biases && { class_biases: Object.fromEntries(Object.entries(biases).map(([name, b]) => [sentimentLabel(name) ?? name, b])) }) }, labels)
      : null;
  } catch (error) {
    throw new ModelFolderError(`${file("config.json")}: ${(error as Error).message}`);
  }
  const maxLength = config.max_length ?? (config.max_position_embeddings ? config.max_position_embeddings - 2 : 256);
  return {
    dir: resolved,
    modelPath: file("model.onnx"),
    tokenizerJson,
    modelId: config.model_id ?? config._name_or_path ?? path.basename(resolved),
    version: config.version ?? "unversioned",
    labels,
    maxLength,
    wordSegmented: config.word_segmented ?? true,
    segmentation: config.segmentation ?? "vncorenlp",
    padId: config.pad_token_id ?? 1,
    bosId: config.bos_token_id ?? 0,
    eosId: config.eos_token_id ?? 2,
    calibration,
  };
}
