// One analysis of texts: the chosen model ("fast" default or "accurate") classifies them, the language check says
// whether each is Vietnamese, and the result records which model answered. Routers and the batch worker use it.
import { z } from "zod/v4";
import { AppError } from "../errors.ts";
import { wrongType } from "../validation.ts";
import type { Classification, Classifier, Lane } from "../inference/classifier.server.ts";
import { checkLanguage, type LanguageCheck } from "../text/languageCheck.ts";

export const MODEL_KINDS = ["fast", "accurate"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** The `model` input of predictions and batches. */
export const ModelKindInput = z
  .enum(MODEL_KINDS, wrongType('model must be "fast" or "accurate"'))
  .optional()
  .meta({ description: 'Which model answers: "fast" (default) or "accurate" (400 when the server has none; see GET /api/model)' });

export type Analysis = Classification & LanguageCheck & { modelKind: ModelKind };

export type LoadedModels = { classifier: Classifier | null; accurateClassifier: Classifier | null };

/** The classifier for `kind`: 503 when no model is loaded, 400 when "accurate" is asked of a server without one. */
export function chooseClassifier(models: LoadedModels, kind: ModelKind, field = "model"): Classifier {
  if (!models.classifier) throw new AppError("SERVICE_UNAVAILABLE", "predict.modelUnavailable", "The model is not loaded on this server");
  if (kind === "fast") return models.classifier;
  if (!models.accurateClassifier) {
    throw new AppError("BAD_REQUEST", "predict.accurateUnavailable", 'This server has no accurate model (ACCURATE_MODEL_DIR is not set): use model "fast"', field);
  }
  return models.accurateClassifier;
}

/** A model kind from a form field or query string: 400 for anything but "fast" or "accurate". */
export function parseModelKind(value: string, field = "model"): ModelKind {
  const kind = value.trim() || "fast";
  if ((MODEL_KINDS as readonly string[]).includes(kind)) return kind as ModelKind;
  throw new AppError("BAD_REQUEST", "predict.badModel", `model must be "fast" or "accurate" (got "${kind.slice(0, 40)}")`, field);
}

export async function analyseTexts(
  classifier: Pick<Classifier, "classify">,
  kind: ModelKind,
  texts: string[],
  languageMinWords: number,
  lane: Lane = "interactive",
): Promise<Analysis[]> {
  const results = await classifier.classify(texts, lane);
  return results.map((result, i) => ({ ...result, ...checkLanguage(texts[i]!, languageMinWords), modelKind: kind }));
}
