// Writes every text the sentence teacher, its student and the aspect model train on, as token ids from our
// TypeScript preprocessing (the ids the server will feed them), gzip-compressed JSON lines, for models/train/pipeline.py.
// Usage: npm run train:corpus -- [--data ../shared/data] [--out .gpu/corpus] [--limit N]
//   sentiment.<dataset>.<split>.jsonl.gz  {"ids": [...], "label": 0|1|2}      (5 core sets + extra-sentiment/*)
//   aspects.<domain>.<split>.jsonl.gz     {"ids": [...], "aspects": {"BATTERY": "negative", ...}}
//   unlabelled.reviews.jsonl.gz           {"ids": [...]}
import { mkdirSync, readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import path from "node:path";
import { parseArgs } from "node:util";
import Papa from "papaparse";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";
import { trainingTextEncoder } from "#tooling/trainingTextEncoder.ts";
import { SHARED_DATA_DIR } from "../server/repoPaths.ts";

const { values } = parseArgs({ options: { data: { type: "string" }, out: { type: "string" }, limit: { type: "string" } } });
const dataDir = values.data ?? SHARED_DATA_DIR;
const outDir = values.out ?? ".gpu/corpus";
const limit = Number(values.limit ?? 0);
const encoder = trainingTextEncoder("vncorenlp");
const LABELS = ["negative", "neutral", "positive"];
const MAX_IDS = 254; // one model window without <s> and </s>: training never sees more
mkdirSync(outDir, { recursive: true });

function write(name: string, records: object[]): void {
  const body = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
  writeFileSync(path.join(outDir, `${name}.jsonl.gz`), gzipSync(body));
  console.log(`${name}: ${records.length}`);
}
const ids = (text: string) => encoder.encode(text).ids.slice(0, MAX_IDS);
const cap = <T>(rows: T[]) => (limit ? rows.slice(0, limit) : rows);

for (const split of ["train", "dev"] as const) {
  const sets = [
    ...labelledSplitFiles(dataDir, split),
    ...labelledSplitFiles(path.join(dataDir, "extra-sentiment"), split).map((s) => ({ ...s, dataset: `extra-${s.dataset}` })),
  ];
  for (const { dataset, file } of sets) {
    write(`sentiment.${dataset}.${split}`, cap(readLabelledCsv(file)).map((row) => {
      const label = LABELS.indexOf(row.label);
      if (label < 0) throw new Error(`${file}: unknown label "${row.label}"`);
      return { ids: ids(row.text), label };
    }));
  }
  const aspectsDir = path.join(dataDir, "aspects");
  for (const domain of readdirSync(aspectsDir).sort()) {
    const file = path.join(aspectsDir, domain, `${split}.csv`);
    if (!existsSync(file)) continue;
    const parsed = Papa.parse<{ id: string; text: string; aspect: string; polarity: string }>(readFileSync(file, "utf8").replace(/^\uFEFF/, ""), { header: true, skipEmptyLines: "greedy" });
    const reviews = new Map<string, { text: string; aspects: Record<string, string> }>();
    for (const row of parsed.data) {
      const review = reviews.get(row.id) ?? { text: row.text, aspects: {} };
      if (row.aspect !== "NONE") review.aspects[row.aspect] = row.polarity;
      reviews.set(row.id, review);
    }
    write(`aspects.${domain}.${split}`, cap([...reviews.values()]).map((r) => ({ ids: ids(r.text), aspects: r.aspects })));
  }
}
const unlabelled = gunzipSync(readFileSync(path.join(dataDir, "unlabelled", "reviews.txt.gz"))).toString("utf8").split("\n").filter(Boolean);
write("unlabelled.reviews", cap(unlabelled).map((text) => ({ ids: ids(text) })));
