// Review CSV files for batch tests, built from the shared training data, and the HTTP calls around a batch.
import Papa from "papaparse";
import { SHARED_DATA_DIR } from "../../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";

let cached: string[] | null = null;

/** `count` real reviews (repeated when the train files hold fewer). */
export function reviewTexts(count: number): string[] {
  cached ??= labelledSplitFiles(SHARED_DATA_DIR, "train").flatMap(({ file }) => readLabelledCsv(file).map((r) => r.text));
  return Array.from({ length: count }, (_, i) => cached![i % cached!.length]!);
}

/** A CSV with an id column, the review and a stars column; `extra` rows are appended as given. */
export function reviewCsv(count: number): string {
  const rows = reviewTexts(count).map((text, i) => [String(i + 1), text, String((i % 5) + 1)]);
  return Papa.unparse([["id", "review", "stars"], ...rows], { newline: "\r\n" }) + "\r\n";
}

export async function uploadCsv(baseUrl: string, csv: string | Uint8Array, headers: Record<string, string>, options: { fileName?: string; textColumn?: string; domain?: string } = {}) {
  const form = new FormData();
  if (options.textColumn) form.append("text_column", options.textColumn);
  if (options.domain) form.append("domain", options.domain);
  form.append("file", new Blob([csv as BlobPart], { type: "text/csv" }), options.fileName ?? "reviews.csv");
  const response = await fetch(`${baseUrl}/api/predict/batch`, { method: "POST", body: form, headers });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

/** Polls GET /api/batches/{id} until the batch leaves queued/running (or the time is up). */
export async function waitForBatch(baseUrl: string, id: string, headers: Record<string, string>, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (let resets = 0; ; ) {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/api/batches/${id}`, { headers });
    } catch (error) {
      // a keep-alive socket the server closed just as the poll reused it (seen on a heavily loaded machine)
      if (++resets > 3) throw error;
      continue;
    }
    const body = (await response.json()) as any;
    if (response.status !== 200) throw new Error(`GET /api/batches/${id}: ${response.status} ${JSON.stringify(body)}`);
    if (!["uploading", "queued", "running"].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${body.status} (${body.processed}/${body.total}) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
