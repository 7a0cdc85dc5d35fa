// Class probabilities of a model on every dev split, through the TypeScript inference path (windows and all),
// for models/train/ngram_branch.py, which mixes the encoder with its n-gram branch.
// Usage: npm run model:dev-probabilities -- --model DIR --data ../shared/data --out FILE.json [--uncalibrated]
// (--uncalibrated: the plain softmax of the logits even when config.json has a calibration, for model:calibrate)
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Classifier } from "../server/inference/classifier.server.ts";
import { SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";

const { values } = parseArgs({ options: { model: { type: "string" }, data: { type: "string" }, out: { type: "string" }, uncalibrated: { type: "boolean" } } });
if (!values.model || !values.out) {
  console.error("usage: npm run model:dev-probabilities -- --model DIR [--data ../shared/data] --out FILE.json");
  process.exit(2);
}
const dataDir = values.data ?? SHARED_DATA_DIR;
const classifier = await Classifier.load(values.model, { threads: 2, batchSize: 32, batchWaitMs: 0, ignoreCalibration: values.uncalibrated ?? false });
const output: Record<string, number[][]> = {};
for (const { dataset, file } of labelledSplitFiles(dataDir, "dev")) {
  const results = await classifier.classify(readLabelledCsv(file).map((row) => row.text));
  output[dataset] = results.map((r) => classifier.labels.map((label) => r.probabilities[label] ?? 0));
  console.error(`${dataset}: ${results.length} rows`);
}
await classifier.close();
writeFileSync(values.out, JSON.stringify({ labels: classifier.labels, model: `${classifier.model.modelId}@${classifier.model.version}`, calibrated: !values.uncalibrated && classifier.model.calibration !== null, probabilities: output }));
