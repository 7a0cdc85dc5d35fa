import { describe, expect, it } from "vitest";
import { evaluatePredictions, mcnemarExactP, scoreClassifications } from "#tooling/evaluationScores.ts";

describe("evaluatePredictions", () => {
  it("computes accuracy, per-class metrics, macro-F1 and the confusion matrix", () => {
    const gold = ["positive", "positive", "negative", "neutral", "negative"];
    const pred = ["positive", "negative", "negative", "positive", "negative"];
    const report = evaluatePredictions(gold, pred, ["negative", "neutral", "positive"]);
    expect(report.n).toBe(5);
    expect(report.accuracy).toBeCloseTo(3 / 5);
    expect(report.per_class.negative).toMatchObject({ precision: 2 / 3, recall: 1, support: 2 });
    expect(report.per_class.neutral!.f1).toBe(0);
    expect(report.per_class.positive!.f1).toBeCloseTo(0.5);
    expect(report.macro_f1).toBeCloseTo((0.8 + 0 + 0.5) / 3);
    expect(report.confusion.positive).toEqual({ negative: 1, neutral: 0, positive: 1 });
  });
  it("averages macro-F1 over the classes present in the gold labels", () => {
    const report = evaluatePredictions(["negative", "positive"], ["negative", "neutral"], ["negative", "neutral", "positive"]);
    expect(report.macro_f1).toBeCloseTo(0.5);
  });
});

describe("scoreClassifications", () => {
  const labels = ["negative", "neutral", "positive"];
  const result = (label: string, negative: number, neutral: number, positive: number) => ({ label, probabilities: { negative, neutral, positive } });

  it("scores a negative/positive-only set also as negative vs positive", () => {
    const { report, binary } = scoreClassifications(["negative", "positive"], [result("neutral", 0.3, 0.5, 0.2), result("positive", 0.1, 0.2, 0.7)], labels);
    expect(report.accuracy).toBeCloseTo(0.5);
    expect(binary?.accuracy).toBe(1);
    expect(binary?.macro_f1).toBe(1);
  });

  it("gives no binary score when a set has neutral labels", () => {
    expect(scoreClassifications(["neutral"], [result("neutral", 0.2, 0.6, 0.2)], labels).binary).toBeNull();
  });
});

describe("mcnemarExactP", () => {
  it("is the two-sided binomial tail of the discordant rows", () => {
    // 5 vs 2: 2 * (1 + 7 + 21) / 128
    expect(mcnemarExactP(5, 2)).toBeCloseTo((2 * 29) / 128, 10);
    expect(mcnemarExactP(2, 5)).toBeCloseTo((2 * 29) / 128, 10);
    // 0 vs 10: 2 / 1024
    expect(mcnemarExactP(0, 10)).toBeCloseTo(2 / 1024, 10);
    expect(mcnemarExactP(3, 3)).toBe(1);
    expect(mcnemarExactP(0, 0)).toBe(1);
    // large counts stay finite: 480 vs 520 is not significant, 400 vs 600 is
    expect(mcnemarExactP(480, 520)).toBeGreaterThan(0.2);
    expect(mcnemarExactP(400, 600)).toBeLessThan(1e-9);
  });
});
