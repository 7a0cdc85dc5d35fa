// Confidence calibration: a temperature and per-class logit biases read from a model folder's config.json,
// the maths to apply them, to fit the temperature on dev rows, and to measure expected calibration error.
import { z } from "zod/v4";
import { softmax } from "./windows.ts";

export const CalibrationConfigSchema = z.object({
  temperature: z.number().positive().max(100),
  /** Added to a class's logit after dividing by the temperature; missing classes get 0. */
  class_biases: z.record(z.string(), z.number().min(-20).max(20)).optional(),
});
export type CalibrationConfig = z.infer<typeof CalibrationConfigSchema>;

/** Temperature and one bias per label, in the model's logit order. */
export type Calibration = { temperature: number; biases: number[] };

export function calibrationFor(config: CalibrationConfig, labels: readonly string[]): Calibration {
  const unknown = Object.keys(config.class_biases ?? {}).filter((label) => !labels.includes(label));
  if (unknown.length) throw new Error(`calibration.class_biases names labels the model does not have: ${unknown.join(", ")}`);
  return { temperature: config.temperature, biases: labels.map((label) => config.class_biases?.[label] ?? 0) };
}

/** softmax(logits / T + b); without a calibration, the plain softmax. */
export function calibratedProbabilities(logits: ArrayLike<number>, calibration: Calibration | null): number[] {
  if (!calibration) return softmax(logits);
  return softmax(Array.from(logits, (v, i) => v / calibration.temperature + (calibration.biases[i] ?? 0)));
}

/** Mean negative log-likelihood of the gold classes under softmax(logits / T + b). */
export function negativeLogLikelihood(logits: readonly (readonly number[])[], gold: readonly number[], calibration: Calibration): number {
  let total = 0;
  logits.forEach((row, i) => {
    const p = calibratedProbabilities(row, calibration)[gold[i]!]!;
    total -= Math.log(Math.max(p, 1e-12));
  });
  return total / Math.max(1, logits.length);
}

/**
 * The temperature that minimises the NLL (golden-section search over log T in [1/20, 20]; the NLL is convex
 * in 1/T, so it has one minimum there). Logits may be any per-row shift of the model's (e.g. log-probabilities).
 */
export function fitTemperature(logits: readonly (readonly number[])[], gold: readonly number[], biases: readonly number[] = []): number {
  const nll = (logT: number) => negativeLogLikelihood(logits, gold, { temperature: Math.exp(logT), biases: [...biases] });
  let lo = Math.log(1 / 20);
  let hi = Math.log(20);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = nll(a);
  let fb = nll(b);
  while (hi - lo > 1e-5) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = nll(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = nll(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

export type ReliabilityBin = { lower: number; upper: number; count: number; meanConfidence: number; accuracy: number };

/** Top-label reliability: rows binned by their highest probability into equal-width bins. */
export function reliabilityBins(probabilities: readonly (readonly number[])[], gold: readonly number[], binCount = 10): ReliabilityBin[] {
  const bins = Array.from({ length: binCount }, (_, k) => ({ lower: k / binCount, upper: (k + 1) / binCount, count: 0, confidenceSum: 0, correct: 0 }));
  probabilities.forEach((row, i) => {
    let best = 0;
    row.forEach((p, c) => (p > row[best]! ? (best = c) : undefined));
    const confidence = row[best]!;
    const bin = bins[Math.min(binCount - 1, Math.floor(confidence * binCount))]!;
    bin.count++;
    bin.confidenceSum += confidence;
    if (best === gold[i]) bin.correct++;
  });
  return bins.map(({ lower, upper, count, confidenceSum, correct }) => ({
    lower,
    upper,
    count,
    meanConfidence: count ? confidenceSum / count : 0,
    accuracy: count ? correct / count : 0,
  }));
}

/** Expected calibration error: the count-weighted mean |accuracy − confidence| over the reliability bins. */
export function expectedCalibrationError(probabilities: readonly (readonly number[])[], gold: readonly number[], binCount = 10): number {
  const n = probabilities.length;
  if (!n) return 0;
  return reliabilityBins(probabilities, gold, binCount).reduce((sum, bin) => sum + (bin.count / n) * Math.abs(bin.accuracy - bin.meanConfidence), 0);
}
