// Phone reviews for aspect tests: real ones from the shared aspect dev data, and one whose aspects no model can miss.
import { readFileSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { parseAspectCsv } from "#tooling/aspectEvaluation.ts";
import { SHARED_DATA_DIR } from "../../server/repoPaths.ts";

export const ASPECT_DATA_DIR = path.join(SHARED_DATA_DIR, "aspects");
/** A review the bundled aspect model reads as BATTERY negative (tests pin that once each); retrained: check them. */
export const PHONE_WEAK_BATTERY = "Pin yếu quá, camera chụp mờ.";

/** `count` phone reviews of the dev split (the first one written to be unmistakable), as a CSV with id and review. */
export function phoneReviewCsv(count: number): string {
  const reviews = parseAspectCsv(readFileSync(path.join(ASPECT_DATA_DIR, "phones", "dev.csv"), "utf8")).slice(0, count - 1);
  const rows = [PHONE_WEAK_BATTERY, ...reviews.map((r) => r.text)].map((text, i) => [String(i + 1), text]);
  return Papa.unparse([["id", "review"], ...rows], { newline: "\r\n" }) + "\r\n";
}
