// The bundled model card's dev figures are what `npm run eval` measures now, its baseline columns what
// models/train/baseline_report.json holds, and the training helper that exports dev probabilities reads every split in row order.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { itWithDatasets } from "../support/datasets.ts";
import { Classifier } from "../../server/inference/classifier.server.ts";
import { DEFAULT_MODEL_DIR, REPO_ROOT, SHARED_DATA_DIR } from "../../server/repoPaths.ts";
import { labelledSplitFiles } from "#tooling/readLabelledCsv.ts";
import { baselineDataProblem } from "../../scripts/baselineReport.ts";
import { runTsx } from "../support/runTsx.ts";

type CardRow = { dataset: string; binary: boolean; n: number; accuracy: number; macroF1: number; baseline: [number, number]; beats: string };

function cardRows(): CardRow[] {
  const card = readFileSync(path.join(DEFAULT_MODEL_DIR, "MODEL_CARD.md"), "utf8");
  return [...card.matchAll(/^\| ([\w.-]+)( \(2-class[^|]*)? \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (yes|no) \|$/gm)].map((m) => ({
    dataset: m[1]!,
    binary: m[2] !== undefined,
    n: Number(m[3]),
    accuracy: Number(m[4]),
    macroF1: Number(m[5]),
    baseline: [Number(m[6]), Number(m[7])],
    beats: m[8]!,
  }));
}

describe("bundled model card", () => {
  itWithDatasets("lists every dev split, and npm run eval reproduces each row", async () => {
    const rows = cardRows();
    const baselinePath = path.join(REPO_ROOT, "models", "train", "baseline_report.json");
    expect(baselineDataProblem(baselinePath, SHARED_DATA_DIR)).toBeNull();
    const baseline = JSON.parse(readFileSync(baselinePath, "utf8")) as
      Record<string, { accuracy: number; macro_f1: number; binary_accuracy?: number; binary_macro_f1?: number }>;
    expect(rows.map((r) => r.dataset)).toEqual(labelledSplitFiles(SHARED_DATA_DIR, "dev").map((s) => s.dataset));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const result = await runTsx(["scripts/eval.ts", "--data", path.join(SHARED_DATA_DIR, row.dataset, "dev.csv")]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.n).toBe(row.n);
      expect((row.binary ? report.binary_accuracy : report.accuracy).toFixed(4), row.dataset).toBe(row.accuracy.toFixed(4));
      expect((row.binary ? report.binary_macro_f1 : report.macro_f1).toFixed(4), row.dataset).toBe(row.macroF1.toFixed(4));
      // "beats" is decided on the unrounded figures: the card's four decimals can hide a difference or a tie.
      const theirs = baseline[row.dataset]!;
      const [theirAccuracy, theirF1] = row.binary ? [theirs.binary_accuracy!, theirs.binary_macro_f1!] : [theirs.accuracy, theirs.macro_f1];
      expect(row.baseline, row.dataset).toEqual([Number(theirAccuracy.toFixed(4)), Number(theirF1.toFixed(4))]);
      const [ourAccuracy, ourF1] = row.binary ? [report.binary_accuracy, report.binary_macro_f1] : [report.accuracy, report.macro_f1];
      expect(row.beats, row.dataset).toBe(ourAccuracy > theirAccuracy && ourF1 > theirF1 ? "yes" : "no");
    }
  }, 120_000);
});

describe("baselineDataProblem", () => {
  it("names the data files that are missing or differ from the baseline report's hashes, and a report without them", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-baseline-"));
    try {
      mkdirSync(path.join(dir, "alpha"));
      writeFileSync(path.join(dir, "alpha", "dev.csv"), "text,label\nTốt,positive\n");
      writeFileSync(path.join(dir, "alpha", "train.csv"), "text,label\nTệ,negative\n");
      const report = path.join(dir, "report.json");
      const sha256 = (file: string) => createHash("sha256").update(readFileSync(path.join(dir, file))).digest("hex");
      const record: Record<string, string> = { "alpha/dev.csv": sha256("alpha/dev.csv"), "alpha/train.csv": sha256("alpha/train.csv") };
      const writeReport = (hashes?: Record<string, string>) =>
        writeFileSync(report, JSON.stringify({ alpha: { accuracy: 1, macro_f1: 1 }, ...(hashes && { _reproduce: { data_sha256: hashes } }) }));
      writeReport(record);
      expect(baselineDataProblem(report, dir)).toBeNull();
      writeReport({ ...record, "beta/dev.csv": "0".repeat(64) });
      expect(baselineDataProblem(report, dir)).toMatch(/other data \(beta\/dev\.csv differ or are missing\)/);
      writeFileSync(path.join(dir, "alpha", "train.csv"), "text,label\nTệ,neutral\n");
      expect(baselineDataProblem(report, dir)).toMatch(/other data \(alpha\/train\.csv, beta\/dev\.csv differ/);
      writeReport();
      expect(baselineDataProblem(report, dir)).toMatch(/records no _reproduce\.data_sha256/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm run model:dev-probabilities", () => {
  it("writes each dataset's class probabilities in row order, skipping folders without the split", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-devprobs-"));
    const texts = { alpha: ["Rất hài lòng", "Hàng kém,\nkhông nên mua"], beta: ["tạm được"] };
    for (const [name, rows] of Object.entries(texts)) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, "dev.csv"), "text,label\n" + rows.map((t) => `"${t}",positive`).join("\n") + "\n");
    }
    mkdirSync(path.join(dir, "vi-resources"));
    const out = path.join(dir, "out.json");
    const result = await runTsx(["scripts/dev-probabilities.ts", "--model", DEFAULT_MODEL_DIR, "--data", dir, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    const written = JSON.parse(readFileSync(out, "utf8"));
    const classifier = await Classifier.load(DEFAULT_MODEL_DIR, { threads: 1, batchSize: 8, batchWaitMs: 0 });
    expect(written.labels).toEqual(classifier.labels);
    expect(Object.keys(written.probabilities).sort()).toEqual(["alpha", "beta"]);
    for (const [name, rows] of Object.entries(texts)) {
      const expected = await classifier.classify(rows);
      expect(written.probabilities[name]).toHaveLength(rows.length);
      written.probabilities[name].forEach((probs: number[], i: number) =>
        classifier.labels.forEach((label, j) => expect(probs[j]).toBeCloseTo(expected[i]!.probabilities[label]!, 5)),
      );
    }
    await classifier.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("the card's calibration and statistical-bar tables", () => {
  it("repeat calibration_report.json and paired_comparison.json, and the bar's verdict follows from them", () => {
    const card = readFileSync(path.join(DEFAULT_MODEL_DIR, "MODEL_CARD.md"), "utf8");
    const calibration = JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, "calibration_report.json"), "utf8"));
    const config = JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, "config.json"), "utf8"));
    expect(config.calibration.temperature).toBeCloseTo(calibration.temperature, 4);
    for (const d of calibration.datasets) {
      expect(card).toContain(`| ${d.dataset} | ${d.n} | ${d.scored_as} | ${d.ece_before.toFixed(4)} | ${d.ece_after.toFixed(4)} |`);
    }
    const paired = JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, "paired_comparison.json"), "utf8"));
    expect(paired.model).toBe(`${config.model_id}@${config.version}`);
    const worse = paired.results.some((r: { dataset: string; mcnemar_exact_p: number; accuracy_difference: number }) => r.dataset !== "pooled" && r.mcnemar_exact_p < 0.05 && r.accuracy_difference < 0);
    const pooled = paired.results.find((r: { dataset: string }) => r.dataset === "pooled");
    const met = !worse && pooled.mcnemar_exact_p < 0.05 && pooled.accuracy_difference > 0;
    expect(card.includes("It meets the project's statistical quality bar")).toBe(met);
    for (const r of paired.results) expect(card).toContain(`| ${r.dataset} | ${r.n} | ${r.model_right} | ${r.baseline_right} | ${r.only_model_right} | ${r.only_baseline_right} |`);
  });
});
