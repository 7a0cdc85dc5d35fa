// How far an int8 model drifts from its fp32 original on the dev sets: label agreement, the largest probability
// difference, accuracy / macro-F1 of both (negative vs positive on two-class sets, as eval scores them), and McNemar's
// exact test on the rows only one of them got right. Dynamic int8 quantizes activations per batch, so a row's answer
// can depend on the rows it was batched with: a few rows flip from run to run, and a small set's accuracy moves by
// a row or two. The paired test says whether a difference is more than that.
import { Classifier, type ClassifierOptions } from "#server/inference/classifier.server.ts";
import { mcnemarExactP, negativeVsPositive, scoreClassifications } from "../evaluationScores.ts";
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
  only_fp32_right: number;
  only_int8_right: number;
  mcnemar_exact_p: number;
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
      // right or wrong per row, as the accuracy above scores it (negative vs positive on two-class sets)
      const binary = scoresA.binary !== null;
      const answer = (r: (typeof a)[number]) => (binary ? negativeVsPositive(r.probabilities) : r.label);
      let onlyFp32 = 0;
      let onlyInt8 = 0;
      gold.forEach((g, i) => {
        const rightA = answer(a[i]!) === g;
        const rightB = answer(b[i]!) === g;
        if (rightA && !rightB) onlyFp32++;
        if (rightB && !rightA) onlyInt8++;
      });
      rows.push({
        dataset,
        n: data.length,
        label_agreement: agree / data.length,
        max_probability_difference: maxDiff,
        accuracy_fp32: pick(scoresA).accuracy,
        accuracy_int8: pick(scoresB).accuracy,
        macro_f1_fp32: pick(scoresA).macro_f1,
        macro_f1_int8: pick(scoresB).macro_f1,
        only_fp32_right: onlyFp32,
        only_int8_right: onlyInt8,
        mcnemar_exact_p: mcnemarExactP(onlyFp32, onlyInt8),
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
    "| dataset | n | label agreement | max prob. diff | accuracy fp32 | accuracy int8 | macro-F1 fp32 | macro-F1 int8 | only fp32 right | only int8 right | McNemar p |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.dataset} | ${r.n} | ${f(r.label_agreement)} | ${f(r.max_probability_difference)} | ${f(r.accuracy_fp32)} | ${f(r.accuracy_int8)} | ${f(r.macro_f1_fp32)} | ${f(r.macro_f1_int8)} | ${r.only_fp32_right} | ${r.only_int8_right} | ${r.mcnemar_exact_p.toFixed(3)} |`),
  ].join("\n");
}
