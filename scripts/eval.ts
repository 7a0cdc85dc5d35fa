// Scores a model on a labelled CSV (text,label) through the same TypeScript inference path the app serves.
// Usage: npm run eval -- --data FILE.csv [--model DIR]   -> one JSON object on stdout
//        npm run eval -- --behaviour [--model DIR]       -> accuracy per category of models/behaviour/suite.csv
import { parseArgs } from "node:util";
import { Classifier } from "../server/inference/classifier.server.ts";
import { scoreClassifications } from "../server/inference/evaluationScores.ts";
import { measureBehaviour } from "../server/inference/behaviourSuite.ts";
import { BEHAVIOUR_SUITE_PATH, DEFAULT_MODEL_DIR } from "../server/repoPaths.ts";
import { readLabelledCsv } from "../server/text/readLabelledCsv.ts";

const { values } = parseArgs({ options: { data: { type: "string" }, behaviour: { type: "boolean" }, model: { type: "string" }, threads: { type: "string" } } });
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
