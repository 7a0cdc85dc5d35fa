// Writes MODEL_CARD.md for a model folder: dev-set metrics measured now through the TypeScript inference
// path (the same numbers `npm run eval` prints), next to the TF-IDF baseline's report.
// Usage: npm run model:card -- [--model models/default] [--data ../shared/data] [--baseline models/train/baseline_report.json]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Classifier } from "../server/inference/classifier.server.ts";
import { scoreClassifications } from "#tooling/evaluationScores.ts";
import { BEHAVIOUR_REPORT_FILE, type BehaviourReport } from "#tooling/behaviourSuite.ts";
import { DEFAULT_MODEL_DIR, REPO_ROOT, SEGMENTER_WORDS_PATH, SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";
import { baselineDataProblem } from "./baselineReport.ts";
import { normalizeText } from "../server/text/normalize.ts";
import { loadWordDictionary, segmentWords, SEGMENTATION_RULES } from "../server/text/segment.ts";
import { parseSegmentationSample, scoreSegmentation } from "#tooling/segmentationScore.ts";

const { values } = parseArgs({ options: { model: { type: "string" }, data: { type: "string" }, baseline: { type: "string" } } });
const modelDir = values.model ?? DEFAULT_MODEL_DIR;
const dataDir = values.data ?? SHARED_DATA_DIR;
const baselinePath = values.baseline ?? path.join(REPO_ROOT, "models", "train", "baseline_report.json");
const baseline = JSON.parse(readFileSync(baselinePath, "utf8")) as Record<string, { accuracy: number; macro_f1: number; binary_accuracy?: number; binary_macro_f1?: number }>;
const baselineProblem = baselineDataProblem(baselinePath, dataDir);
if (baselineProblem) {
  console.error(baselineProblem);
  process.exit(1);
}
const training = JSON.parse(readFileSync(path.join(modelDir, "training_report.json"), "utf8"));
const config = JSON.parse(readFileSync(path.join(modelDir, "config.json"), "utf8"));
const classifier = await Classifier.load(modelDir, { threads: 2, batchSize: 32, batchWaitMs: 0 });

const f = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(4));
type DevScores = Record<string, { accuracy: number; macro_f1: number }>;
const ngram = training.ngram_branch as
  | { alpha: number; bags: number; epochs: number; lr: number; buckets: number; seconds: number; two_class_loss?: boolean; dataset_balance?: number; weighting?: string; encoder_only_dev: DevScores; ngrams_only_dev: DevScores }
  | undefined;
const rows: string[] = [];
let beatsEverywhere = true;
for (const { dataset, file } of labelledSplitFiles(dataDir, "dev")) {
  const data = readLabelledCsv(file);
  const results = await classifier.classify(data.map((r) => r.text));
  const { report, binary } = scoreClassifications(data.map((r) => r.label), results, classifier.labels);
  const b = baseline[dataset];
  const ours = binary ? binary.accuracy : report.accuracy;
  const theirs = binary ? b?.binary_accuracy : b?.accuracy;
  const oursF1 = binary ? binary.macro_f1 : report.macro_f1;
  const theirsF1 = binary ? b?.binary_macro_f1 : b?.macro_f1;
  const beats = theirs !== undefined && theirsF1 !== undefined && ours > theirs && oursF1 > theirsF1 ? "yes" : "no";
  if (beats === "no") beatsEverywhere = false;
  rows.push(`| ${dataset}${binary ? " (2-class: negative vs positive)" : ""} | ${data.length} | ${f(ours)} | ${f(oursF1)} | ${f(theirs)} | ${f(theirsF1)} | ${beats} |`);
  console.error(`${dataset}: accuracy ${f(ours)} macro-F1 ${f(oursF1)} (baseline ${f(theirs)} / ${f(theirsF1)})`);
}
await classifier.close();
const bar = statisticalBar();

const card = `# Model card: ${config.model_id} ${config.version}

A small RoBERTa sequence classifier with PhoBERT's architecture and tokenisation, trained from scratch
by this project${ngram ? ", mixed inside the same ONNX graph with a linear n-gram branch over the same token ids" : ""}. Labels: ${classifier.labels.join(", ")}. Input: PhoBERT token ids (\`input_ids\`, \`attention_mask\`,
int64, dynamic batch and sequence); output: \`logits\`. Up to ${config.max_length} positions per window.

${beatsEverywhere ? "It beats the TF-IDF baseline on every dev set (table below)." : "It does not beat the TF-IDF baseline's figures on every dev set (table below)."}
${bar.verdict}

## Architecture
- Encoder: ${config.num_hidden_layers} layers, hidden size ${config.hidden_size}, ${config.num_attention_heads} heads,
  feed-forward ${config.intermediate_size}, post-LayerNorm, GELU, RoBERTa position ids; classification head on \`<s>\`.
- Vocabulary: PhoBERT-base's 64,001 ids at the input; inside the graph a constant table maps them to the
  ${training.vocabulary} ids that occur at least ${training.hyperparameters.min_count} times in the training data (others → \`<unk>\`).
- Encoder parameters: ${training.parameters.toLocaleString("en")}.
${ngram ? ngramSection(ngram) : ""}
## Preprocessing
Unicode NFC, tone marks in PhoBERT's placement (hoà, khoẻ, thuỷ), invisible characters and NBSP removed,
whitespace collapsed, emoticons/emoji/UIT-VSFC emoticon tokens mapped to one spelling, longest-match word
segmentation over RDRsegmenter's 34k-word dictionary, PhoBERT's fastBPE (\`tokenizer.json\`). All of it in
TypeScript (\`server/text/\`, \`server/inference/textEncoder.ts\`); training used ids exported by that code.
${segmentationSection(config.segmentation ?? "vncorenlp")}

## Training data
All five train splits in \`shared/data\` (${training.train_rows.toLocaleString("en")} rows): UIT-VSFC (student feedback; UIT NLP
Group, research use), VLSP 2016 SA (tech reviews; VLSP data agreement, research only), UIT-ViSFD
(smartphone reviews, star-derived labels; free for research), linhlpv e-commerce 31k (Shopee reviews,
star-derived; license unknown), AIVIVN 2019 (product reviews, positive/negative only; competition data).
The dev splits chose the best epoch${ngram ? ", the n-gram branch's features and settings, and the encoder's weight in the mix" : ""}; nothing else was tuned on them. Test splits were not used.
**These licenses restrict the weights to research and evaluation use** until the data question is settled.

## How it was trained
\`models/train/train.py\` (seed ${training.seed}, torch ${training.torch}): masked-language pretraining on the training texts
(${training.mlm_epochs_run} epoch(s)${training.hyperparameters.load_pretrained ? ", in a separate run whose encoder the fine-tuning run loaded (`--save-pretrained` / `--load-pretrained`; the time below is fine-tuning only)" : ""}${training.hyperparameters.init_from ? `, continuing from the encoder in \`${training.hyperparameters.init_from}\` at peak learning rate ${training.hyperparameters.mlm_lr}; how that one was trained: \`models/train/README.md\`` : ""}), then fine-tuning on the labelled rows with inverse-frequency class weights${lossDetails(training.hyperparameters)}
(${training.hyperparameters.ft_epochs} epoch(s), best epoch ${training.best_epoch} by mean dev macro-F1), training sequences cut at
${training.hyperparameters.train_max_len ?? 256} positions. ${training.seconds} s on ${training.hyperparameters.threads ? `${training.hyperparameters.threads} CPU thread(s)` : "the training machine"}.
${ngram ? `The n-gram branch: \`models/train/ngram_branch.py\` (${ngram.bags} models with different seeds averaged, ${ngram.epochs} epochs each,
Adam lr ${ngram.lr}, class-weighted${lossDetails(ngram)}; ${ngram.seconds} s).\n` : ""}Exact commands: see \`models/train/README.md\`.

## Dev-set results (measured through the TypeScript inference path)
Baseline: TF-IDF (syllable 1–3-grams + character 2–5-grams) + class-balanced logistic regression trained on
the same five train splits (\`models/train/baseline.py\`). AIVIVN has only positive/negative labels: both
models are scored there as negative vs positive (argmax over those two probabilities).

| dataset | n | accuracy | macro-F1 | baseline accuracy | baseline macro-F1 | beats baseline |
|---|---:|---:|---:|---:|---:|---|
${rows.join("\n")}

Reproduce a row: \`npm run eval -- --data ../shared/data/<dataset>/dev.csv\`. This card: \`npm run model:card\`.
${bar.section}${calibrationSection()}${behaviourSection()}
## Limits
Trained on reviews and course feedback: other domains (news, politics, sarcasm) will be weaker. Labels of
UIT-ViSFD and the e-commerce set come from star ratings and are noisy around "neutral". The target on
UIT-VSFC is PhoBERT-large's reported accuracy 0.94 / macro-F1 ~0.84, which this small model does not reach.
`;
writeFileSync(path.join(modelDir, "MODEL_CARD.md"), card);
console.error(`wrote ${path.join(modelDir, "MODEL_CARD.md")}`);

/** The fine-tuning loss options of train.py and ngram_branch.py, as a clause of the card's sentence. */
function lossDetails(options: { two_class_loss?: boolean; dataset_balance?: number }): string {
  const parts: string[] = [];
  if (options.two_class_loss) parts.push("a loss over the negative and positive logits only for the rows of splits labelled only negative/positive (AIVIVN), whose labels say nothing about neutral");
  if (options.dataset_balance) parts.push(`rows weighted by (mean split size / their split's size)^${options.dataset_balance}`);
  return parts.length ? `, ${parts.join(", ")}` : "";
}

function weightingClause(weighting: string | undefined): string {
  return weighting === "sublinear-l2"
    ? ";\n  each distinct token or n-gram of a text weighted (1 + ln count) × IDF, and the text's feature vector L2-normalised, as TF-IDF with sublinear term frequency"
    : "";
}

function ngramSection(branch: NonNullable<typeof ngram>): string {
  const parts = Object.keys(branch.encoder_only_dev)
    .map((name) => `| ${name} | ${f(branch.encoder_only_dev[name]?.macro_f1)} | ${f(branch.ngrams_only_dev[name]?.macro_f1)} |`)
    .join("\n");
  return `- N-gram branch: a linear model over hashed token 1–3-grams, syllable bigrams, and each token's syllables and
  character 2–5-grams (lower-cased), ${branch.buckets.toLocaleString("en")} hash buckets, computed inside the graph from the same \`input_ids\`${weightingClause(branch.weighting)}.
  Output \`logits\` = ${branch.alpha.toFixed(2)} × log-softmax(encoder) + ${(1 - branch.alpha).toFixed(2)} × log-softmax(n-grams), so a softmax over them gives the
  mixed probabilities. Each part alone on dev (macro-F1; negative vs positive on AIVIVN), measured in training:

| dataset | encoder only | n-grams only |
|---|---:|---:|
${parts}
`;
}

/** The token rules' word F1 on the hand-checked sample (tests/fixtures/segmentation-sample.tsv), both rule sets. */
function segmentationSection(rules: string): string {
  const sample = parseSegmentationSample(readFileSync(path.join(REPO_ROOT, "tests", "fixtures", "segmentation-sample.tsv"), "utf8"));
  const dictionary = loadWordDictionary(SEGMENTER_WORDS_PATH);
  const scores = SEGMENTATION_RULES.map((r) => {
    const score = scoreSegmentation(sample.map(({ raw, gold }) => ({ predicted: segmentWords(normalizeText(raw), dictionary, r), gold })));
    return `| ${r}${r === rules ? " (this model)" : ""} | ${score.precision.toFixed(4)} | ${score.recall.toFixed(4)} | ${score.f1.toFixed(4)} |`;
  });
  return `
Token rules: \`${rules}\` (config.json \`segmentation\`). \`vncorenlp\` follows PhoBERT's own preprocessing (VnCoreNLP's tokenizer):
numbers with units or suffixes (6s, 16GB, 0.5s), tokens with an inner slash, hyphen or dot (25k/con, S-pen, e.Thử), URLs,
e-mails, dates, times, decimals and versions stay whole; sentence punctuation, quotes and brackets are split off.
\`legacy-0.6\` is what models up to 0.6.0 were trained on (letters and digits split apart); a folder is always served the
rules it names. Word F1 of the segmenter on a hand-checked sample of ${sample.length} review sentences covering these rules
(\`npm run -s segment -- --score tests/fixtures/segmentation-sample.tsv [--segmentation RULES]\`):

| rules | precision | recall | F1 |
|---|---:|---:|---:|
${scores.join("\n")}
`;
}

type PairedResult = { dataset: string; n: number; model_right: number; baseline_right: number; only_model_right: number; only_baseline_right: number; mcnemar_exact_p: number; accuracy_difference: number; bootstrap_95: [number, number] };

/** The quality bar from paired_comparison.json (models/train/paired_comparison.py --out): per split and pooled. */
function statisticalBar(): { verdict: string; section: string } {
  const file = path.join(modelDir, "paired_comparison.json");
  if (!existsSync(file)) return { verdict: "The statistical quality bar was not measured for this folder (no paired_comparison.json).", section: "" };
  const written = JSON.parse(readFileSync(file, "utf8")) as { model: string; calibrated: boolean; results: PairedResult[] };
  if (written.model !== `${config.model_id}@${config.version}`) throw new Error(`${file}: measured for ${written.model}, this folder holds ${config.model_id}@${config.version}`);
  const call = (r: PairedResult) => (r.mcnemar_exact_p >= 0.05 ? "no significant difference" : r.accuracy_difference > 0 ? "significantly better" : "significantly worse");
  const splits = written.results.filter((r) => r.dataset !== "pooled");
  const pooled = written.results.find((r) => r.dataset === "pooled");
  const met = pooled !== undefined && splits.every((r) => call(r) !== "significantly worse") && call(pooled) === "significantly better";
  const rows = written.results.map((r) =>
    `| ${r.dataset} | ${r.n} | ${r.model_right} | ${r.baseline_right} | ${r.only_model_right} | ${r.only_baseline_right} | ${r.accuracy_difference >= 0 ? "+" : ""}${r.accuracy_difference.toFixed(4)} | ${r.bootstrap_95[0].toFixed(4)} to ${r.bootstrap_95[1].toFixed(4)} | ${r.mcnemar_exact_p < 0.001 ? "< 0.001" : r.mcnemar_exact_p.toFixed(3)} | ${call(r)} |`);
  return {
    verdict: met
      ? "**It meets the project's statistical quality bar**: on no dev set significantly worse than the baseline, and on the pooled dev rows of all five sets significantly better in accuracy (McNemar exact, p < 0.05; table below)."
      : "**Status: interim.** It does not meet the project's statistical quality bar (table below).",
    section: `
## The statistical bar (paired with the baseline, row by row)
Both models scored on the same dev rows (AIVIVN as negative vs positive); McNemar's exact test on the rows only one of
them gets right, and a paired bootstrap (2,000 resamples) of the accuracy difference; "pooled" is all ${pooled?.n ?? 0} dev rows together.
Bar: no set significantly worse (p < 0.05), pooled significantly better. \`models/train/paired_comparison.py --out ${path.basename(file)}\`
on the ${written.calibrated ? "calibrated" : "uncalibrated (\`--uncalibrated\`)"} probabilities of \`npm run model:dev-probabilities\` (${written.model}); a temperature
changes no prediction, so the table holds for the served probabilities as well.

| dev rows | n | model right | baseline right | only model right | only baseline right | accuracy difference | 95% bootstrap | McNemar p | verdict |
|---|---:|---:|---:|---:|---:|---:|---|---:|---|
${rows.join("\n")}
`,
  };
}

/** Accuracy per category of the hand-written behaviour suite, from behaviour_report.json (npm run model:behaviour). */
function behaviourSection(): string {
  const file = path.join(modelDir, BEHAVIOUR_REPORT_FILE);
  if (!existsSync(file)) return "\n## Behaviour suite\nNot measured for this folder (no behaviour_report.json: `npm run model:behaviour`).\n";
  const report = JSON.parse(readFileSync(file, "utf8")) as BehaviourReport;
  if (report.model !== `${config.model_id}@${config.version}`) throw new Error(`${file}: measured for ${report.model}, this folder holds ${config.model_id}@${config.version}`);
  const rows = Object.entries(report.categories).map(([category, s]) => `| ${category} | ${s.n} | ${s.correct} | ${s.accuracy.toFixed(4)} |`);
  return `
## Behaviour suite
${report.n} Vietnamese sentences written for this project (\`${report.suite}\`, categories and labelling rules in
\`models/behaviour/README.md\`), never used for training or tuning. Accuracy of the top label per category
(\`npm run eval -- --behaviour\`; recorded by \`npm run model:behaviour\`):

| category | n | right | accuracy |
|---|---:|---:|---:|
${rows.join("\n")}
| all | ${report.n} | ${Object.values(report.categories).reduce((a, s) => a + s.correct, 0)} | ${report.accuracy.toFixed(4)} |
`;
}

type CalibrationReport = {
  model: string;
  temperature: number;
  neutral_bias: number;
  rule: { bias_chosen_on_even_rows: number; bias_chosen_on_odd_rows: number; mean_macro_f1_without: number; mean_macro_f1_cross_fitted: number; pooled_accuracy_without: number; pooled_accuracy_cross_fitted: number; conditions_1_and_2_hold: boolean };
  datasets: { dataset: string; n: number; scored_as: string; ece_before: number; ece_after: number; without_bias?: { accuracy: number; macro_f1: number }; cross_fitted_bias?: { accuracy: number; macro_f1: number } }[];
};

/** Calibration from calibration_report.json (npm run model:calibrate) and config.json's calibration. */
function calibrationSection(): string {
  const file = path.join(modelDir, "calibration_report.json");
  if (!config.calibration) return "\n## Calibration\nNone: the probabilities are the softmax of the model's logits.\n";
  if (!existsSync(file)) throw new Error(`${modelDir}/config.json has a calibration but no calibration_report.json says how it was fitted`);
  const report = JSON.parse(readFileSync(file, "utf8")) as CalibrationReport;
  const ece = report.datasets.map((d) => `| ${d.dataset} | ${d.n} | ${d.scored_as} | ${d.ece_before.toFixed(4)} | ${d.ece_after.toFixed(4)} |`);
  const bias = report.datasets.filter((d) => d.without_bias).map((d) =>
    `| ${d.dataset} | ${d.without_bias!.accuracy.toFixed(4)} | ${d.without_bias!.macro_f1.toFixed(4)} | ${d.cross_fitted_bias!.accuracy.toFixed(4)} | ${d.cross_fitted_bias!.macro_f1.toFixed(4)} |`);
  const r = report.rule;
  const worse = report.datasets.filter((d) => d.ece_after > d.ece_before).map((d) => d.dataset);
  const biases = config.calibration.class_biases as Record<string, number> | undefined;
  return `
## Calibration
Served probabilities are softmax(logits / T${biases ? " + b" : ""}) with T = ${config.calibration.temperature}${biases ? ` and b = ${JSON.stringify(biases)}` : ""} (config.json \`calibration\`),
fitted by \`npm run model:calibrate\` on the dev rows of the four three-class sets (negative log-likelihood). A temperature never
changes a label. Expected calibration error (10 equal-width bins of the top probability; AIVIVN as negative vs positive),
before and after, measured on the dev rows the temperature was fitted on (one parameter for ${report.datasets.filter((d) => d.without_bias).reduce((a, d) => a + d.n, 0).toLocaleString("en")} three-class rows):

| dataset | n | scored as | ECE before | ECE after |
|---|---:|---|---:|---:|
${ece.join("\n")}

![Reliability chart: accuracy against confidence per dev set, before and after temperature scaling](reliability.png)

${worse.length ? `One temperature for all sets: the ECE rises on ${worse.join(", ")}, where the model was better calibrated than on the others to begin with.` : "The ECE falls on every dev set."}
Results whose calibrated top probability is below \`UNCERTAIN_BELOW\` (server configuration) are shown as uncertain.

**Neutral decision bias** (the weak class), by the rule written before measuring (\`models/train/README.md\`): b chosen by mean
macro-F1 of the four three-class sets on the even rows (${r.bias_chosen_on_even_rows}) and on the odd rows (${r.bias_chosen_on_odd_rows}), each applied to the other half.
Mean macro-F1 ${r.mean_macro_f1_without.toFixed(4)} without, ${r.mean_macro_f1_cross_fitted.toFixed(4)} with the cross-fitted bias; pooled accuracy of those sets
${r.pooled_accuracy_without.toFixed(4)} without, ${r.pooled_accuracy_cross_fitted.toFixed(4)} with. ${r.conditions_1_and_2_hold ? `The rule's conditions hold: b = ${report.neutral_bias} ships.` : "The rule's conditions (macro-F1 +0.003, accuracy −0.005 at most) do not hold: no bias ships."}

| dataset | accuracy, no bias | macro-F1, no bias | accuracy, cross-fitted bias | macro-F1, cross-fitted bias |
|---|---:|---:|---:|---:|
${bias.join("\n")}
`;
}
