// Scores a model on a labelled CSV (text,label) through the same TypeScript inference path the app serves.
// Usage: npm run eval -- --data FILE.csv [--model DIR]   -> one JSON object on stdout
//        npm run eval -- --behaviour [--model DIR]       -> accuracy per category of models/behaviour/suite.csv
//        npm run eval -- --language [--min-words N]      -> how often Vietnamese dev rows are flagged "not Vietnamese"
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Classifier } from "../server/inference/classifier.server.ts";
import { scoreClassifications } from "#tooling/evaluationScores.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";
import { measureBehaviour } from "#tooling/behaviourSuite.ts";
import { BEHAVIOUR_SUITE_PATH, DEFAULT_MODEL_DIR, SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { languageFlagReport } from "./languageFlagRates.ts";
import { loadConfig } from "../server/config.server.ts";

const { values } = parseArgs({ options: { data: { type: "string" }, behaviour: { type: "boolean" }, language: { type: "boolean" }, "min-words": { type: "string" }, model: { type: "string" }, threads: { type: "string" } } });
if (values.language) {
  const minWords = Number(values["min-words"] ?? loadConfig().LANGUAGE_CHECK_MIN_WORDS);
  console.log(JSON.stringify(languageFlagReport(languageDevSets(), BEHAVIOUR_SUITE_PATH, minWords), null, 1));
  process.exit(0);
}
if (!values.data && !values.behaviour) {
  console.error("usage: npm run eval -- --data FILE.csv [--model DIR]\n       npm run eval -- --behaviour [--model DIR]");
  process.exit(2);
}
try {
  if (values.behaviour) {
    const classifier = await Classifier.load(values.model ?? DEFAULT_MODEL_DIR, { threads: Number(values.threads ?? 2), batchSize: 32, batchWaitMs: 0 });
    const scores = await measureBehaviour(BEHAVIOUR_SUITE_PATH, (texts) => classifier.classify(texts));
    await classifier.close();
    console.log(JSON.stringify({ ...scores, model: `${classifier.model.modelId}@${classifier.model.version}` }));
    process.exit(0);
  }
  if (!values.data) throw new Error("--data is missing");
  const rows = readLabelledCsv(values.data);
  if (rows.length === 0) throw new Error(`${values.data}: no rows`);
  const classifier = await Classifier.load(values.model ?? DEFAULT_MODEL_DIR, { threads: Number(values.threads ?? 2), batchSize: 32, batchWaitMs: 0 });
  const unknown = rows.find((r) => !classifier.labels.includes(r.label));
  if (unknown) throw new Error(`${values.data}: label "${unknown.label}" is not one of the model's labels (${classifier.labels.join(", ")})`);
  const started = performance.now();
  const results = await classifier.classify(rows.map((r) => r.text));
  const seconds = (performance.now() - started) / 1000;
  const { report, binary } = scoreClassifications(rows.map((r) => r.label), results, classifier.labels);
  const output: Record<string, unknown> = { ...report, rows_per_second: Math.round((rows.length / seconds) * 10) / 10, model: `${classifier.model.modelId}@${classifier.model.version}` };
  if (binary) {
    output.binary_accuracy = binary.accuracy;
    output.binary_macro_f1 = binary.macro_f1;
  }
  await classifier.close();
  console.log(JSON.stringify(output));
} catch (error) {
  console.error(`eval: ${(error as Error).message}`);
  process.exit(1);
}

/** Every dev split under shared/data, and those one folder deeper (extra-sentiment/<set>/dev.csv). */
function languageDevSets(): { dataset: string; texts: string[] }[] {
  const extra = path.join(SHARED_DATA_DIR, "extra-sentiment");
  const files = [...labelledSplitFiles(SHARED_DATA_DIR, "dev"), ...(existsSync(extra) ? labelledSplitFiles(extra, "dev").map((f) => ({ ...f, dataset: `extra-sentiment/${f.dataset}` })) : [])];
  return files.map(({ dataset, file }) => ({ dataset, texts: readLabelledCsv(file).map((r) => r.text) }));
}
