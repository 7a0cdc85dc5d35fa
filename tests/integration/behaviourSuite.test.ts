// The bundled model over the behaviour suite: no category more than BEHAVIOUR_MARGIN below the figures recorded
// in its folder (behaviour_report.json, `npm run model:behaviour`), and `npm run eval -- --behaviour` prints them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Classifier } from "../../server/inference/classifier.server.ts";
import {
  BEHAVIOUR_REPORT_FILE, behaviourDrops, measureBehaviour, readBehaviourSuite, scoreBehaviour, type BehaviourReport,
} from "#tooling/behaviourSuite.ts";
import { BEHAVIOUR_SUITE_PATH, DEFAULT_MODEL_DIR } from "../../server/repoPaths.ts";
import { runTsx } from "../support/runTsx.ts";

/** One sentence in a category of 30 is 0.033: a drop of two sentences in any category fails. */
const BEHAVIOUR_MARGIN = 0.05;
const CATEGORIES = [
  "plain_complaint_praise", "neutral_fact", "negation_of_negative", "negation_of_positive", "contrast",
  "no_diacritics", "teencode_slang", "emoji", "intensity", "domain_shift",
];

describe("behaviour suite", () => {
  let classifier: Classifier;
  const recorded = JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, BEHAVIOUR_REPORT_FILE), "utf8")) as BehaviourReport;
  beforeAll(async () => {
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, { threads: 1, batchSize: 32, batchWaitMs: 0 });
  });
  afterAll(async () => {
    await classifier?.close();
  });

  it("has at least 300 sentences in the ten categories, every label one of the model's", () => {
    const { cases } = readBehaviourSuite(BEHAVIOUR_SUITE_PATH);
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect([...new Set(cases.map((c) => c.category))]).toEqual(CATEGORIES);
    expect(cases.filter((c) => !classifier.labels.includes(c.label))).toEqual([]);
  });

  it("the bundled model is within the margin of its recorded figures in every category", async () => {
    const measured = await measureBehaviour(BEHAVIOUR_SUITE_PATH, (texts) => classifier.classify(texts));
    expect(recorded.model, "behaviour_report.json was recorded for another model: npm run model:behaviour").toBe(`${classifier.model.modelId}@${classifier.model.version}`);
    expect(recorded.suite_sha256, "the suite changed since the figures were recorded: npm run model:behaviour").toBe(measured.suite_sha256);
    expect(Object.keys(recorded.categories)).toEqual(CATEGORIES);
    expect(behaviourDrops(recorded, measured, BEHAVIOUR_MARGIN)).toEqual([]);
  });

  it("names a category that fell by more than the margin", () => {
    const { cases } = readBehaviourSuite(BEHAVIOUR_SUITE_PATH);
    const gold = scoreBehaviour(cases, cases.map((c) => c.label));
    // every neutral fact answered "positive": that category drops to 0, the others stay
    const worse = scoreBehaviour(cases, cases.map((c) => (c.category === "neutral_fact" ? "positive" : c.label)));
    expect(behaviourDrops(gold, worse, BEHAVIOUR_MARGIN)).toEqual([`neutral_fact: 0.0000, recorded 1.0000 (margin ${BEHAVIOUR_MARGIN})`]);
    expect(behaviourDrops(worse, gold, BEHAVIOUR_MARGIN)).toEqual([]);
  });

  it("npm run eval -- --behaviour prints accuracy per category as JSON", async () => {
    const result = await runTsx(["scripts/eval.ts", "--behaviour", "--model", DEFAULT_MODEL_DIR]);
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as BehaviourReport;
    expect(printed.model).toBe(recorded.model);
    // the command's figures are the recorded ones within the margin the suite allows (another batch size may
    // flip a borderline sentence)
    expect(behaviourDrops(recorded, printed, BEHAVIOUR_MARGIN)).toEqual([]);
    expect(behaviourDrops(printed, recorded, BEHAVIOUR_MARGIN)).toEqual([]);
  });
});
