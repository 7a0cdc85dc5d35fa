// The TF-IDF baseline's report (models/train/baseline.py) records the SHA-256 of every data file it read, so a card
// is never written against figures computed on other data.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const recordedData = z.object({ _reproduce: z.object({ data_sha256: z.record(z.string(), z.string()) }) });

/** The data files (paths relative to dataDir) that are missing or whose SHA-256 differs from the report's record. */
export function changedDataFiles(reportPath: string, dataDir: string): string[] {
  const parsed = recordedData.safeParse(JSON.parse(readFileSync(reportPath, "utf8")));
  if (!parsed.success) throw new Error(`${reportPath} records no _reproduce.data_sha256: re-run models/train/baseline.py, which writes it`);
  const recorded = parsed.data._reproduce.data_sha256;
  return Object.entries(recorded)
    .filter(([file, sha256]) => {
      const full = path.join(dataDir, file);
      return !existsSync(full) || createHash("sha256").update(readFileSync(full)).digest("hex") !== sha256;
    })
    .map(([file]) => file);
}
