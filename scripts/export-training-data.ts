// Writes the token ids our TypeScript preprocessing produces for every train/dev row, for models/train/.
// Usage: npm run train:export -- --data ../shared/data --out models/train/work [--segmentation vncorenlp|legacy-0.6]
// (write the same "segmentation" into the trained model's config.json; models up to 0.6.0 used legacy-0.6)
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { SEGMENTATION_RULES, type SegmentationRules } from "../server/text/segment.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";
import { trainingTextEncoder } from "#tooling/trainingTextEncoder.ts";
import { SHARED_DATA_DIR } from "../server/repoPaths.ts";

const { values } = parseArgs({ options: { data: { type: "string" }, out: { type: "string" }, segmentation: { type: "string" } } });
const rules = (values.segmentation ?? "vncorenlp") as SegmentationRules;
if (!SEGMENTATION_RULES.includes(rules)) throw new Error(`--segmentation: one of ${SEGMENTATION_RULES.join(", ")}`);
const dataDir = values.data ?? SHARED_DATA_DIR;
const outDir = values.out ?? "models/train/work";
const encoder = trainingTextEncoder(rules);
const LABELS = ["negative", "neutral", "positive"];
mkdirSync(outDir, { recursive: true });
for (const split of ["train", "dev"] as const) {
  for (const { dataset, file } of labelledSplitFiles(dataDir, split)) {
    const lines = readLabelledCsv(file).map((row) => {
      const label = LABELS.indexOf(row.label);
      if (label < 0) throw new Error(`${file}: unknown label "${row.label}"`);
      return JSON.stringify({ ids: encoder.encode(row.text).ids, label });
    });
    writeFileSync(path.join(outDir, `${dataset}.${split}.jsonl`), `${lines.join("\n")}\n`);
    console.log(`${dataset}/${split}: ${lines.length} rows`);
  }
}
