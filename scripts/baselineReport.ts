// The TF-IDF baseline's report (models/train/baseline.py) records the SHA-256 of every data file it read, so a card
// is never written against figures computed on other data.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod/v4";

const recordedData = z.object({ _reproduce: z.object({ data_sha256: z.record(z.string(), z.string()) }) });

/** Why the report at reportPath cannot be compared with the data under dataDir, or null when it can: it records no
 *  data hashes, or some recorded file is missing or differs. */
export function baselineDataProblem(reportPath: string, dataDir: string): string | null {
  const parsed = recordedData.safeParse(JSON.parse(readFileSync(reportPath, "utf8")));
  if (!parsed.success) return `${reportPath} records no _reproduce.data_sha256: re-run models/train/baseline.py, which writes it`;
  const changed = Object.entries(parsed.data._reproduce.data_sha256)
    .filter(([file, sha256]) => {
      const full = path.join(dataDir, file);
      return !existsSync(full) || createHash("sha256").update(readFileSync(full)).digest("hex") !== sha256;
    })
    .map(([file]) => file);
  return changed.length ? `${reportPath} was computed on other data (${changed.join(", ")} differ or are missing): re-run models/train/baseline.py` : null;
}
