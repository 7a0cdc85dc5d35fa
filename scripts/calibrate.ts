// Fits a model folder's calibration on dev (a temperature, and a neutral decision bias chosen by the rule in
// models/train/README.md), writes it into config.json with --write, and always writes calibration_report.json
// (expected calibration error before/after per dev set, reliability bins, the bias rule's measurements).
// Usage: npm run model:dev-probabilities -- --model models/default --out /tmp/raw.json --uncalibrated
//        npm run model:calibrate -- --probabilities /tmp/raw.json [--model models/default] [--data ../shared/data] [--write]
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { calibratedProbabilities, expectedCalibrationError, fitTemperature, reliabilityBins, type Calibration } from "../server/inference/calibration.ts";
import { evaluatePredictions } from "#tooling/evaluationScores.ts";
import { DEFAULT_MODEL_DIR, SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";

const { values } = parseArgs({ options: { probabilities: { type: "string" }, model: { type: "string" }, data: { type: "string" }, write: { type: "boolean" } } });
if (!values.probabilities) {
  console.error("usage: npm run model:calibrate -- --probabilities RAW.json [--model DIR] [--data DIR] [--write]");
  process.exit(2);
}
const modelDir = values.model ?? DEFAULT_MODEL_DIR;
const dataDir = values.data ?? SHARED_DATA_DIR;
const raw = JSON.parse(readFileSync(values.probabilities, "utf8")) as { labels: string[]; model: string; calibrated?: boolean; probabilities: Record<string, number[][]> };
if (raw.calibrated) throw new Error(`${values.probabilities}: already calibrated probabilities; write them with --uncalibrated`);
const labels = raw.labels;
const neutral = labels.indexOf("neutral");
if (neutral < 0) throw new Error("the model has no neutral class");

type DevSet = { name: string; logits: number[][]; gold: number[]; twoLabel: boolean };
const sets: DevSet[] = labelledSplitFiles(dataDir, "dev").map(({ dataset, file }) => {
  const gold = readLabelledCsv(file).map((row) => labels.indexOf(row.label));
  const rows = raw.probabilities[dataset];
  if (!rows || rows.length !== gold.length) throw new Error(`${values.probabilities}: ${dataset} has ${rows?.length ?? 0} rows, its dev split ${gold.length}`);
  // log-probabilities are the logits up to a per-row shift, which softmax(· / T + b) ignores
  return { name: dataset, logits: rows.map((p) => p.map((x) => Math.log(Math.max(x, 1e-12)))), gold, twoLabel: gold.every((g) => labels[g] === "negative" || labels[g] === "positive") };
});
const threeClass = sets.filter((s) => !s.twoLabel);

const temperature = fitTemperature(threeClass.flatMap((s) => s.logits), threeClass.flatMap((s) => s.gold));
const withBias = (b: number): Calibration => ({ temperature, biases: labels.map((_, i) => (i === neutral ? b : 0)) });
const argmax = (p: number[]) => p.reduce((best, x, i) => (x > p[best]! ? i : best), 0);

/** Mean macro-F1 of the three-class sets over the rows `keep` selects, with neutral bias b. */
function meanMacroF1(b: number, keep: (i: number) => boolean): number {
  const scores = threeClass.map((s) => {
    const idx = s.gold.map((_, i) => i).filter(keep);
    const predicted = idx.map((i) => labels[argmax(calibratedProbabilities(s.logits[i]!, withBias(b)))]!);
    return evaluatePredictions(idx.map((i) => labels[s.gold[i]!]!), predicted, labels).macro_f1;
  });
  return scores.reduce((a, x) => a + x, 0) / scores.length;
}
const candidates = Array.from({ length: 61 }, (_, k) => Math.round((-1 + k * 0.05) * 100) / 100);
function chooseBias(keep: (i: number) => boolean): number {
  let best = 0;
  let bestScore = -1;
  for (const b of [...candidates].sort((x, y) => Math.abs(x) - Math.abs(y) || x - y)) {
    const score = meanMacroF1(b, keep);
    if (score > bestScore + 1e-12) [best, bestScore] = [b, score];
  }
  return best;
}
const biasOnEven = chooseBias((i) => i % 2 === 0);
const biasOnOdd = chooseBias((i) => i % 2 === 1);

const perSet = sets.map((s) => {
  const before = s.logits.map((l) => calibratedProbabilities(l, null));
  const after = s.logits.map((l) => calibratedProbabilities(l, withBias(0)));
  // a negative/positive-only set is scored as negative vs positive: its probabilities renormalised over those two
  const view = (rows: number[][]) => (s.twoLabel ? rows.map((p) => [p[0]!, p[2]!].map((x) => x / (p[0]! + p[2]!))) : rows);
  const gold = s.twoLabel ? s.gold.map((g) => (g === 0 ? 0 : 1)) : s.gold;
  const goldLabels = s.gold.map((g) => labels[g]!);
  const plain = evaluatePredictions(goldLabels, after.map((p) => labels[argmax(p)]!), labels);
  const crossFitted = evaluatePredictions(goldLabels, s.logits.map((l, i) => labels[argmax(calibratedProbabilities(l, withBias(i % 2 === 0 ? biasOnOdd : biasOnEven)))]!), labels);
  return {
    dataset: s.name,
    n: s.gold.length,
    scored_as: s.twoLabel ? "negative vs positive" : "three classes",
    ece_before: expectedCalibrationError(view(before), gold),
    ece_after: expectedCalibrationError(view(after), gold),
    bins_before: reliabilityBins(view(before), gold),
    bins_after: reliabilityBins(view(after), gold),
    ...(s.twoLabel ? {} : { without_bias: { accuracy: plain.accuracy, macro_f1: plain.macro_f1 }, cross_fitted_bias: { accuracy: crossFitted.accuracy, macro_f1: crossFitted.macro_f1 } }),
  };
});
const three = perSet.filter((s) => s.without_bias);
const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
const pooledAccuracy = (key: "without_bias" | "cross_fitted_bias") => three.reduce((a, s) => a + s[key]!.accuracy * s.n, 0) / three.reduce((a, s) => a + s.n, 0);
const rule = {
  bias_chosen_on_even_rows: biasOnEven,
  bias_chosen_on_odd_rows: biasOnOdd,
  mean_macro_f1_without: mean(three.map((s) => s.without_bias!.macro_f1)),
  mean_macro_f1_cross_fitted: mean(three.map((s) => s.cross_fitted_bias!.macro_f1)),
  pooled_accuracy_without: pooledAccuracy("without_bias"),
  pooled_accuracy_cross_fitted: pooledAccuracy("cross_fitted_bias"),
};
const passes = rule.mean_macro_f1_cross_fitted - rule.mean_macro_f1_without >= 0.003 && rule.pooled_accuracy_without - rule.pooled_accuracy_cross_fitted <= 0.005;
const shippedBias = passes ? chooseBias(() => true) : 0;
const report = {
  model: raw.model,
  temperature,
  neutral_bias: shippedBias,
  rule: { ...rule, conditions_1_and_2_hold: passes, shipped_bias_chosen_on_all_rows: shippedBias },
  datasets: perSet,
};
writeFileSync(path.join(modelDir, "calibration_report.json"), `${JSON.stringify(report, null, 1)}\n`);
console.error(JSON.stringify({ temperature, ...report.rule, ece: perSet.map((s) => [s.dataset, s.ece_before.toFixed(4), s.ece_after.toFixed(4)]) }, null, 1));
if (values.write) {
  const configPath = path.join(modelDir, "config.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.calibration = { temperature: Math.round(temperature * 10000) / 10000, ...(shippedBias ? { class_biases: { neutral: shippedBias } } : {}) };
  writeFileSync(configPath, `${JSON.stringify(config, null, 1)}\n`);
  console.error(`wrote ${configPath}`);
}
