// Records the behaviour suite's accuracy per category in a model folder (behaviour_report.json), the figures
// tests/integration/behaviourSuite.test.ts holds the folder to. Usage: npm run model:behaviour -- [--model DIR]
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Classifier } from "../server/inference/classifier.server.ts";
import { BEHAVIOUR_REPORT_FILE, measureBehaviour, type BehaviourReport } from "#tooling/behaviourSuite.ts";
import { BEHAVIOUR_SUITE_PATH, DEFAULT_MODEL_DIR, REPO_ROOT } from "../server/repoPaths.ts";

const { values } = parseArgs({ options: { model: { type: "string" } } });
const modelDir = values.model ?? DEFAULT_MODEL_DIR;
const classifier = await Classifier.load(modelDir, { threads: 2, batchSize: 32, batchWaitMs: 0 });
const { suite_sha256, ...scores } = await measureBehaviour(BEHAVIOUR_SUITE_PATH, (texts) => classifier.classify(texts));
await classifier.close();
const report: BehaviourReport = {
  model: `${classifier.model.modelId}@${classifier.model.version}`,
  suite: path.relative(REPO_ROOT, BEHAVIOUR_SUITE_PATH),
  suite_sha256,
  ...scores,
};
writeFileSync(path.join(modelDir, BEHAVIOUR_REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
for (const [category, s] of Object.entries(scores.categories)) console.error(`${category}: ${s.correct}/${s.n} = ${s.accuracy.toFixed(4)}`);
console.error(`all: ${scores.accuracy.toFixed(4)}; wrote ${path.join(modelDir, BEHAVIOUR_REPORT_FILE)}`);
