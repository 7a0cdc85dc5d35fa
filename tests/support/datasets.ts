// Tests that read the shared datasets (../shared/data): they run when the data is there, are skipped with a plain
// reason on a clone of this repository alone, and fail when REQUIRE_DATASETS=1 (CI), so CI never skips them silently.
import { existsSync } from "node:fs";
import { it } from "vitest";
import { SHARED_DATA_DIR } from "../../server/repoPaths.ts";
import { labelledSplitFiles } from "#tooling/readLabelledCsv.ts";

export const datasetsPresent = existsSync(SHARED_DATA_DIR) && labelledSplitFiles(SHARED_DATA_DIR, "dev").length > 0;

const MISSING = `no dev splits under ${SHARED_DATA_DIR}`;

/** `it`, for a test that needs the datasets. */
export function itWithDatasets(name: string, fn: () => unknown, timeout?: number): void {
  if (datasetsPresent) it(name, fn, timeout);
  else if (process.env.REQUIRE_DATASETS === "1") {
    it(name, () => {
      throw new Error(`REQUIRE_DATASETS=1 but ${MISSING}: put the shared datasets beside the repository`);
    });
  } else it.skip(`${name} [skipped: ${MISSING}; set REQUIRE_DATASETS=1 to make this a failure]`, fn);
}
