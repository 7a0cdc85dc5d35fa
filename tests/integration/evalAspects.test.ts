// npm run eval:aspects on a slice of the real dev data with the bundled aspect model: one JSON object, per domain
// rows, aspect F1 and aspect+polarity F1; a domain the model does not know is a clear error.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Papa from "papaparse";
import { afterAll, describe, expect, it } from "vitest";
import { readAspectModelFolder } from "../../server/inference/aspectModel.server.ts";
import { parseAspectCsv } from "#tooling/aspectEvaluation.ts";
import { DEFAULT_ASPECT_MODEL_DIR } from "../../server/repoPaths.ts";
import { ASPECT_DATA_DIR } from "../support/aspectFiles.ts";
import { runTsx } from "../support/runTsx.ts";

const REVIEWS = 25;
const tmp = mkdtempSync(path.join(os.tmpdir(), "camxuc-eval-aspects-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The first `count` reviews of a domain's dev file, in the long format. */
function slice(domain: string, count: number): { csv: string; pairs: number } {
  const reviews = parseAspectCsv(readFileSync(path.join(ASPECT_DATA_DIR, domain, "dev.csv"), "utf8")).slice(0, count);
  const rows = reviews.flatMap((r) => (r.labels.length ? r.labels.map((l) => [r.id, r.text, l.aspect, l.polarity]) : [[r.id, r.text, "NONE", ""]]));
  return { csv: Papa.unparse([["id", "text", "aspect", "polarity"], ...rows], { newline: "\r\n" }) + "\r\n", pairs: new Set(reviews.flatMap((r) => r.labels.map((l) => `${r.id}#${l.aspect}`))).size };
}

describe("npm run eval:aspects", () => {
  it("scores every domain folder with the model's aspects of that domain", async () => {
    const known = readAspectModelFolder(DEFAULT_ASPECT_MODEL_DIR).config.domains.map((d) => d.id);
    const domains = ["phones", "hotels", "restaurants", "cosmetics", "fashion", "cleanser", "banking"].filter((d) => known.includes(d));
    expect(domains.length).toBeGreaterThan(0);
    const gold: Record<string, number> = {};
    for (const domain of domains) {
      mkdirSync(path.join(tmp, "data", domain), { recursive: true });
      const { csv, pairs } = slice(domain, REVIEWS);
      writeFileSync(path.join(tmp, "data", domain, "dev.csv"), csv);
      gold[domain] = pairs;
    }
    const { code, stdout, stderr } = await runTsx(["scripts/evalAspects.ts", "--data", path.join(tmp, "data"), "--split", "dev", "--json"]);
    expect(code, stderr).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ split: "dev", domain_choice: "folder" });
    expect(Object.keys(report.domains).sort()).toEqual([...domains].sort());
    for (const domain of domains) {
      const scores = report.domains[domain];
      expect(scores.rows).toBe(REVIEWS);
      expect(scores.gold_pairs).toBe(gold[domain]);
      for (const key of ["aspect_f1", "aspect_polarity_f1"]) {
        expect(scores[key]).toBeGreaterThanOrEqual(0);
        expect(scores[key]).toBeLessThanOrEqual(1);
      }
      // a polarity can only be right where the aspect is
      expect(scores.aspect_polarity_f1).toBeLessThanOrEqual(scores.aspect_f1);
    }
  }, 300_000);

  it("the bundled model scores the whole dev split as its training report says, above the published anchors it claims", async () => {
    const folder = readAspectModelFolder(DEFAULT_ASPECT_MODEL_DIR);
    const trained = JSON.parse(readFileSync(path.join(folder.dir, "training_report.json"), "utf8")) as {
      dev: Record<string, { mixed: { aspect_f1: number; aspect_polarity_f1: number } }>;
    };
    const { code, stdout, stderr } = await runTsx(["scripts/evalAspects.ts", "--data", ASPECT_DATA_DIR, "--split", "dev", "--json"]);
    expect(code, stderr).toBe(0);
    const served = JSON.parse(stdout).domains as Record<string, { aspect_f1: number; aspect_polarity_f1: number }>;
    expect(Object.keys(served).sort()).toEqual(Object.keys(trained.dev).sort());
    // the served path (TypeScript preprocessing, windows, ONNX Runtime) gives what training measured in PyTorch
    for (const [domain, figures] of Object.entries(trained.dev)) {
      expect(served[domain]!.aspect_polarity_f1, domain).toBeCloseTo(figures.mixed.aspect_polarity_f1, 2);
    }
    // aspect+polarity F1 above the anchors the card claims (UIT-ViSFD 63.06; VLSP 2018 restaurant and hotel SVMs 61);
    // the first model (0.1.0) had 57.6, 52.3 and 36.8, and 0.2.0 58.6 on hotels
    expect(served.phones!.aspect_polarity_f1).toBeGreaterThan(0.6306);
    expect(served.restaurants!.aspect_polarity_f1).toBeGreaterThan(0.61);
    expect(served.hotels!.aspect_polarity_f1).toBeGreaterThan(0.61);
  }, 300_000);

  it("says which domain the model lacks, and how to run it", async () => {
    mkdirSync(path.join(tmp, "odd", "spaceships"), { recursive: true });
    writeFileSync(path.join(tmp, "odd", "spaceships", "dev.csv"), "id,text,aspect,polarity\r\n1,Tàu bay nhanh,SPEED,positive\r\n");
    const odd = await runTsx(["scripts/evalAspects.ts", "--data", path.join(tmp, "odd"), "--split", "dev", "--json"]);
    expect(odd.code).toBe(1);
    expect(odd.stderr).toMatch(/spaceships\/dev\.csv: the model has no domain "spaceships" .*use --auto/);
    const usage = await runTsx(["scripts/evalAspects.ts", "--data", path.join(tmp, "odd")]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage: npm run -s eval:aspects");
  }, 120_000);
});
