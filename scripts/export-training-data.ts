// Writes the token ids our TypeScript preprocessing produces for every train/dev row, for models/train/.
// Usage: npm run train:export -- --data ../shared/data --out models/train/work
import { mkdirSync, readdirSync, existsSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { TextEncoder } from "../server/inference/textEncoder.ts";
import { buildPhobertTokenizerJson } from "../server/inference/phobertTokenizerJson.ts";
import { loadWordDictionary } from "../server/text/segment.ts";
import { readLabelledCsv } from "../server/text/readLabelledCsv.ts";
import { SEGMENTER_WORDS_PATH } from "../server/repoPaths.ts";

const { values } = parseArgs({ options: { data: { type: "string" }, out: { type: "string" } } });
const dataDir = values.data ?? "../shared/data";
const outDir = values.out ?? "models/train/work";
const vocabDir = path.join(dataDir, "vi-resources", "phobert-base");
const encoder = new TextEncoder(
  buildPhobertTokenizerJson(readFileSync(path.join(vocabDir, "dict.txt"), "utf8"), readFileSync(path.join(vocabDir, "bpe.codes"), "utf8")),
  loadWordDictionary(SEGMENTER_WORDS_PATH),
);
const LABELS = ["negative", "neutral", "positive"];
mkdirSync(outDir, { recursive: true });
for (const dataset of readdirSync(dataDir).sort()) {
  for (const split of ["train", "dev"]) {
    const file = path.join(dataDir, dataset, `${split}.csv`);
    if (!existsSync(file)) continue;
    const lines = readLabelledCsv(file).map((row) => {
      const label = LABELS.indexOf(row.label);
      if (label < 0) throw new Error(`${file}: unknown label "${row.label}"`);
      return JSON.stringify({ ids: encoder.encode(row.text).ids, label });
    });
    writeFileSync(path.join(outDir, `${dataset}.${split}.jsonl`), `${lines.join("\n")}\n`);
    console.log(`${dataset}/${split}: ${lines.length} rows`);
  }
}
