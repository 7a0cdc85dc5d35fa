// Classification metrics for the eval command: accuracy, per-class precision/recall/F1, macro-F1, confusion.

export type ClassMetrics = { precision: number; recall: number; f1: number; support: number };
export type EvaluationReport = {
  n: number;
  accuracy: number;
  macro_f1: number;
  per_class: Record<string, ClassMetrics>;
  /** confusion[gold][predicted] = count */
  confusion: Record<string, Record<string, number>>;
};

/** A 3-class prediction scored on 2-class (negative/positive) data: the larger of those two probabilities. */
export function negativeVsPositive(probabilities: Record<string, number>): "negative" | "positive" {
  return (probabilities.negative ?? 0) >= (probabilities.positive ?? 0) ? "negative" : "positive";
}

/**
 * Scores classifications of one labelled set. A set whose gold labels are only negative/positive also gets
 * `binary`: the same results scored negative vs positive, which is how such sets are compared.
 */
export function scoreClassifications(
  gold: string[],
  results: { label: string; probabilities: Record<string, number> }[],
  labels: string[],
): { report: EvaluationReport; binary: EvaluationReport | null } {
  const report = evaluatePredictions(gold, results.map((r) => r.label), labels);
  const binaryLabels = ["negative", "positive"];
  const binary = gold.every((g) => binaryLabels.includes(g))
    ? evaluatePredictions(gold, results.map((r) => negativeVsPositive(r.probabilities)), binaryLabels)
    : null;
  return { report, binary };
}

/** Scores predictions; macro-F1 averages over the classes that occur in the gold labels. */
export function evaluatePredictions(gold: string[], predicted: string[], labels: string[]): EvaluationReport {
  if (gold.length !== predicted.length) throw new Error("gold and predicted differ in length");
  const confusion = Object.fromEntries(labels.map((g) => [g, Object.fromEntries(labels.map((p) => [p, 0]))])) as Record<string, Record<string, number>>;
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    if (g === p) correct++;
    confusion[g] ??= Object.fromEntries(labels.map((l) => [l, 0]));
    confusion[g]![p] = (confusion[g]![p] ?? 0) + 1;
  });
  const present = labels.filter((label) => gold.includes(label));
  const per_class: Record<string, ClassMetrics> = {};
  for (const label of labels) {
    const tp = confusion[label]?.[label] ?? 0;
    const predictedCount = gold.reduce((n, _g, i) => n + (predicted[i] === label ? 1 : 0), 0);
    const support = gold.filter((g) => g === label).length;
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    per_class[label] = { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  }
  const macro_f1 = present.length ? present.reduce((sum, l) => sum + per_class[l]!.f1, 0) / present.length : 0;
  return { n: gold.length, accuracy: gold.length ? correct / gold.length : 0, macro_f1, per_class, confusion };
}

/**
 * McNemar's exact test on paired answers: `onlyA` rows only the first model got right, `onlyB` only the second.
 * Two-sided binomial p-value of the smaller count under p = 1/2 (1 when there is no discordant row).
 */
export function mcnemarExactP(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  const k = Math.min(onlyA, onlyB);
  // sum of C(n, i) / 2^n for i <= k, in logs so large n stays finite
  let logC = 0;
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}
