// Scores the aspect model per domain on the long-format files DIR/<domain>/<split>.csv, VLSP 2018 style.
// Usage: npm run -s eval:aspects -- --data DIR --split NAME --json [--model DIR] [--auto] [--limit N]
//   --auto     let the model pick each review's domain (and report how often it picks the folder's)
//   --limit N  only the first N reviews of each file (quick checks)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { AspectModel, AUTO_DOMAIN } from "../server/inference/aspectModel.server.ts";
import { parseAspectCsv, scoreAspects } from "#tooling/aspectEvaluation.ts";
import { DEFAULT_ASPECT_MODEL_DIR } from "../server/repoPaths.ts";

const USAGE = "usage: npm run -s eval:aspects -- --data DIR --split NAME --json [--model DIR] [--auto] [--limit N]";
const { values } = parseArgs({
  options: {
    data: { type: "string" }, split: { type: "string" }, json: { type: "boolean" }, model: { type: "string" },
    auto: { type: "boolean" }, limit: { type: "string" }, threads: { type: "string" },
  },
});
if (!values.data || !values.split) {
  console.error(USAGE);
  process.exit(2);
}
const limit = values.limit === undefined ? Infinity : Number(values.limit);
if (!(limit > 0)) {
  console.error(`eval:aspects: --limit must be a positive number\n${USAGE}`);
  process.exit(2);
}
let model: AspectModel | null = null;
try {
  const dataDir = path.resolve(values.data);
  if (!existsSync(dataDir)) throw new Error(`${dataDir}: no such folder`);
  const domains = readdirSync(dataDir).sort().filter((d) => existsSync(path.join(dataDir, d, `${values.split}.csv`)));
  if (domains.length === 0) throw new Error(`${dataDir}: no <domain>/${values.split}.csv file`);
  model = await AspectModel.load(values.model ?? DEFAULT_ASPECT_MODEL_DIR, {
    threads: Number(values.threads ?? 2), batchSize: 32, maxBatchTokens: 8192, autoMinConfidence: 0.5,
  });
  const report: Record<string, unknown> = {};
  const started = performance.now();
  let reviewsSeen = 0;
  for (const domain of domains) {
    const file = path.join(dataDir, domain, `${values.split}.csv`);
    if (!values.auto && !model.acceptsDomain(domain)) {
      throw new Error(`${file}: the model has no domain "${domain}" (it has ${model.domains.map((d) => d.id).join(", ")}); use --auto to let it pick`);
    }
    const reviews = parseAspectCsv(readFileSync(file, "utf8"), file).slice(0, limit);
    const results = await model.analyseAspects(reviews.map((r) => r.text), { domain: values.auto ? AUTO_DOMAIN : domain, lane: "background" });
    const scores = scoreAspects(reviews.map((r) => r.labels), results.map((r) => r.aspects));
    reviewsSeen += reviews.length;
    report[domain] = values.auto
      ? { ...scores, auto_domain_accuracy: Math.round((results.filter((r) => r.domain === domain).length / Math.max(1, results.length)) * 10_000) / 10_000 }
      : scores;
  }
  const seconds = (performance.now() - started) / 1000;
  const output = { split: values.split, model: `${model.folder.config.model_type}@${model.version}`, domain_choice: values.auto ? "auto" : "folder", reviews_per_second: Math.round((reviewsSeen / seconds) * 10) / 10, domains: report };
  console.log(values.json ? JSON.stringify(output) : JSON.stringify(output, null, 2));
  await model.close();
} catch (error) {
  console.error(`eval:aspects: ${(error as Error).message}`);
  await model?.close();
  process.exit(1);
}
