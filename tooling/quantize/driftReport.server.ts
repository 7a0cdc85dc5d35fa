// How far an int8 model drifts from its fp32 original on the dev sets: label agreement, the largest probability
// difference, and accuracy / macro-F1 of both (negative vs positive on two-class sets, as eval scores them).
import { Classifier, type ClassifierOptions } from "#server/inference/classifier.server.ts";
import { scoreClassifications } from "../evaluationScores.ts";
import { labelledSplitFiles, readLabelledCsv } from "../readLabelledCsv.ts";

export type DriftRow = {
  dataset: string;
  n: number;
  label_agreement: number;
  max_probability_difference: number;
  accuracy_fp32: number;
  accuracy_int8: number;
  macro_f1_fp32: number;
  macro_f1_int8: number;
};

export async function measureDrift(fp32Dir: string, int8Dir: string, dataDir: string, options: ClassifierOptions & { rowsPerDataset?: number }): Promise<DriftRow[]> {
  const datasets = labelledSplitFiles(dataDir, "dev");
  if (datasets.length === 0) throw new Error(`${dataDir}: no <dataset>/dev.csv files`);
  const fp32 = await Classifier.load(fp32Dir, options);
  const int8 = await Classifier.load(int8Dir, options);
  try {
    const rows: DriftRow[] = [];
    for (const { dataset, file } of datasets) {
      const data = readLabelledCsv(file).slice(0, options.rowsPerDataset ?? Infinity);
      const texts = data.map((r) => r.text);
      const gold = data.map((r) => r.label);
      const a = await fp32.classify(texts);
      const b = await int8.classify(texts);
      let agree = 0;
      let maxDiff = 0;
      a.forEach((r, i) => {
        if (r.label === b[i]!.label) agree++;
        for (const label of fp32.labels) maxDiff = Math.max(maxDiff, Math.abs(r.probabilities[label]! - b[i]!.probabilities[label]!));
      });
      const scoresA = scoreClassifications(gold, a, fp32.labels);
      const scoresB = scoreClassifications(gold, b, int8.labels);
      const pick = (s: typeof scoresA) => s.binary ?? s.report;
      rows.push({
        dataset,
        n: data.length,
        label_agreement: agree / data.length,
        max_probability_difference: maxDiff,
        accuracy_fp32: pick(scoresA).accuracy,
        accuracy_int8: pick(scoresB).accuracy,
        macro_f1_fp32: pick(scoresA).macro_f1,
        macro_f1_int8: pick(scoresB).macro_f1,
      });
    }
    return rows;
  } finally {
    await fp32.close();
    await int8.close();
  }
}

export function driftMarkdownTable(rows: DriftRow[]): string {
  const f = (x: number) => x.toFixed(4);
  return [
    "| dataset | n | label agreement | max prob. diff | accuracy fp32 | accuracy int8 | macro-F1 fp32 | macro-F1 int8 |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.dataset} | ${r.n} | ${f(r.label_agreement)} | ${f(r.max_probability_difference)} | ${f(r.accuracy_fp32)} | ${f(r.accuracy_int8)} | ${f(r.macro_f1_fp32)} | ${f(r.macro_f1_int8)} |`),
  ].join("\n");
}
