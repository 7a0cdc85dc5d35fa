// Writes MODEL_CARD.md for a model folder: dev-set metrics measured now through the TypeScript inference
// path (the same numbers `npm run eval` prints), next to the TF-IDF baseline's report.
// Usage: npm run model:card -- [--model models/default] [--data ../shared/data] [--baseline models/train/baseline_report.json]
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Classifier } from "../server/inference/classifier.server.ts";
import { scoreClassifications } from "../server/inference/evaluationScores.ts";
import { DEFAULT_MODEL_DIR, REPO_ROOT, SHARED_DATA_DIR } from "../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "../server/text/readLabelledCsv.ts";
import { baselineDataProblem } from "./baselineReport.ts";

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

const card = `# Model card: ${config.model_id} ${config.version}

A small RoBERTa sequence classifier with PhoBERT's architecture and tokenisation, trained from scratch
by this project${ngram ? ", mixed inside the same ONNX graph with a linear n-gram branch over the same token ids" : ""}. Labels: ${config.labels.join(", ")}. Input: PhoBERT token ids (\`input_ids\`, \`attention_mask\`,
int64, dynamic batch and sequence); output: \`logits\`. Up to ${config.max_length} positions per window.

${beatsEverywhere ? "It beats the TF-IDF baseline on every dev set (table below)." : "**Status: interim.** It does not yet beat the TF-IDF baseline on every dev set (table below); the project's quality bar is unmet."}

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
