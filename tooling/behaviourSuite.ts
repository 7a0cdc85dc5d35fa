// The behaviour suite (models/behaviour/suite.csv): hand-written sentences by category, scored per category.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import Papa from "papaparse";

export type BehaviourCase = { id: string; category: string; text: string; label: string };
export type CategoryScore = { n: number; correct: number; accuracy: number };
export type BehaviourScores = { n: number; accuracy: number; categories: Record<string, CategoryScore> };
/** What `npm run model:behaviour` writes into a model folder (behaviour_report.json). */
export type BehaviourReport = BehaviourScores & { model: string; suite: string; suite_sha256: string };

export const BEHAVIOUR_REPORT_FILE = "behaviour_report.json";

export function parseBehaviourSuite(content: string, source = "suite"): BehaviourCase[] {
  const parsed = Papa.parse<Record<string, string>>(content.replace(/^\uFEFF/, ""), { header: true, skipEmptyLines: "greedy" });
  if (parsed.errors.length) throw new Error(`${source}: row ${(parsed.errors[0]!.row ?? 0) + 2}: ${parsed.errors[0]!.message}`);
  const missing = ["id", "category", "text", "label"].filter((c) => !parsed.meta.fields?.includes(c));
  if (missing.length) throw new Error(`${source}: missing column(s) ${missing.join(", ")}`);
  const seen = new Set<string>();
  return parsed.data.map((row, i) => {
    const item = { id: row.id!.trim(), category: row.category!.trim(), text: row.text!, label: row.label!.trim() };
    if (!item.id || !item.category || !item.text.trim() || !item.label) throw new Error(`${source}: row ${i + 2} has an empty field`);
    if (seen.has(item.id)) throw new Error(`${source}: id ${item.id} appears twice`);
    seen.add(item.id);
    return item;
  });
}

export function readBehaviourSuite(file: string): { cases: BehaviourCase[]; sha256: string } {
  const content = readFileSync(file, "utf8");
  return { cases: parseBehaviourSuite(content, file), sha256: createHash("sha256").update(content).digest("hex") };
}

/** Accuracy per category (categories in the suite's order) and over all cases. */
export function scoreBehaviour(cases: BehaviourCase[], predicted: string[]): BehaviourScores {
  if (predicted.length !== cases.length) throw new Error(`${predicted.length} predictions for ${cases.length} cases`);
  const categories: Record<string, CategoryScore> = {};
  let correct = 0;
  cases.forEach((c, i) => {
    const score = (categories[c.category] ??= { n: 0, correct: 0, accuracy: 0 });
    score.n++;
    if (predicted[i] === c.label) {
      score.correct++;
      correct++;
    }
  });
  for (const score of Object.values(categories)) score.accuracy = round4(score.correct / score.n);
  return { n: cases.length, accuracy: round4(correct / Math.max(cases.length, 1)), categories };
}

/** Categories whose accuracy fell more than `margin` below the recorded figures (or that vanished). */
export function behaviourDrops(recorded: BehaviourScores, measured: BehaviourScores, margin: number): string[] {
  return Object.entries(recorded.categories).flatMap(([category, before]) => {
    const now = measured.categories[category];
    if (!now) return [`${category}: recorded ${before.accuracy.toFixed(4)}, now missing from the suite`];
    return now.accuracy < before.accuracy - margin ? [`${category}: ${now.accuracy.toFixed(4)}, recorded ${before.accuracy.toFixed(4)} (margin ${margin})`] : [];
  });
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Runs every case through `classify` (the Classifier's, or any with the same shape) and scores it. */
export async function measureBehaviour(
  file: string,
  classify: (texts: string[]) => Promise<{ label: string }[]>,
): Promise<BehaviourScores & { suite_sha256: string }> {
  const { cases, sha256 } = readBehaviourSuite(file);
  const results = await classify(cases.map((c) => c.text));
  return { ...scoreBehaviour(cases, results.map((r) => r.label)), suite_sha256: sha256 };
}
