import { describe, expect, it } from "vitest";
import { calibratedProbabilities, calibrationFor, expectedCalibrationError, fitTemperature, negativeLogLikelihood, reliabilityBins } from "../../server/inference/calibration.ts";
import { softmax } from "../../server/inference/windows.ts";

/** Rows drawn from a known temperature: logits z, labels sampled from softmax(z / trueT) with a fixed generator. */
function sample(trueT: number, n: number): { logits: number[][]; gold: number[] } {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const logits: number[][] = [];
  const gold: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = [random() * 8 - 4, random() * 8 - 4, random() * 8 - 4];
    const p = softmax(z.map((v) => v / trueT));
    const u = random();
    gold.push(u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2);
    logits.push(z);
  }
  return { logits, gold };
}

describe("calibration", () => {
  it("a temperature of 1 and no biases is the plain softmax; T > 1 flattens, biases shift one class", () => {
    const z = [2, 0, -1];
    expect(calibratedProbabilities(z, { temperature: 1, biases: [0, 0, 0] })).toEqual(softmax(z));
    expect(calibratedProbabilities(z, null)).toEqual(softmax(z));
    const flatter = calibratedProbabilities(z, { temperature: 2, biases: [0, 0, 0] });
    expect(flatter[0]!).toBeLessThan(softmax(z)[0]!);
    expect(flatter).toEqual(softmax([1, 0, -0.5]));
    expect(calibratedProbabilities(z, { temperature: 1, biases: [0, 3, 0] })).toEqual(softmax([2, 3, -1]));
  });

  it("maps class_biases by label name and refuses unknown labels", () => {
    expect(calibrationFor({ temperature: 1.5, class_biases: { neutral: 0.4 } }, ["negative", "neutral", "positive"])).toEqual({ temperature: 1.5, biases: [0, 0.4, 0] });
    expect(() => calibrationFor({ temperature: 1, class_biases: { neutrall: 1 } }, ["negative", "neutral", "positive"])).toThrow(/neutrall/);
  });

  it("fitTemperature recovers the temperature the labels were drawn with, and minimises the NLL", () => {
    for (const trueT of [0.5, 2]) {
      const { logits, gold } = sample(trueT, 4000);
      const t = fitTemperature(logits, gold);
      expect(t).toBeGreaterThan(trueT * 0.85);
      expect(t).toBeLessThan(trueT * 1.15);
      const nll = (temperature: number) => negativeLogLikelihood(logits, gold, { temperature, biases: [] });
      expect(nll(t)).toBeLessThanOrEqual(nll(t * 1.05));
      expect(nll(t)).toBeLessThanOrEqual(nll(t / 1.05));
    }
  });

  it("ECE is the count-weighted gap between accuracy and confidence per bin", () => {
    // two rows at confidence 0.9 (one right), two at 0.6 (both right): bins 0.9 and 0.6
    const probabilities = [
      [0.9, 0.05, 0.05],
      [0.9, 0.05, 0.05],
      [0.2, 0.6, 0.2],
      [0.2, 0.6, 0.2],
    ];
    const gold = [0, 2, 1, 1];
    const bins = reliabilityBins(probabilities, gold, 10);
    expect(bins[9]).toMatchObject({ count: 2, accuracy: 0.5 });
    expect(bins[9]!.meanConfidence).toBeCloseTo(0.9);
    expect(bins[6]).toMatchObject({ count: 2, accuracy: 1 });
    expect(expectedCalibrationError(probabilities, gold, 10)).toBeCloseTo(0.5 * 0.4 + 0.5 * 0.4, 10);
    expect(expectedCalibrationError([[1, 0, 0]], [0])).toBe(0);
  });

  it("temperature scaling lowers the ECE of overconfident outputs", () => {
    const { logits, gold } = sample(3, 5000);
    const before = expectedCalibrationError(logits.map((z) => softmax(z)), gold);
    const t = fitTemperature(logits, gold);
    const after = expectedCalibrationError(logits.map((z) => calibratedProbabilities(z, { temperature: t, biases: [] })), gold);
    expect(after).toBeLessThan(before / 2);
  });
});
