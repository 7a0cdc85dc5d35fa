import { describe, expect, it } from "vitest";
import { evaluatePredictions } from "../../server/inference/metrics.ts";

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
