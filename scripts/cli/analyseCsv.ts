// Analyses the texts of a CSV file: as a batch job (the file uploaded once, analysed in the background on the
// server, progress polled, results read page by page), or through predict.many in chunks (--via many).
import { setTimeout as sleep } from "node:timers/promises";
import Papa from "papaparse";
import type { ApiClient } from "./client.ts";

export type RowAspect = { aspect: string; polarity: string; confidence: number };
export type RowResult = { row: number; text: string; label: string; confidence: number; probabilities: Record<string, number>; aspects?: RowAspect[] };

/** The file as read: its name and bytes, the column holding the texts, and those texts (already checked). */
export type CsvInput = { name: string; content: Buffer; column: string; texts: string[]; domain?: string };

export interface CsvAnalyser {
  analyse(input: CsvInput, onProgress: (done: number, total: number) => void): Promise<RowResult[]>;
}

const RESULTS_PAGE = 200;

export class BatchJobAnalyser implements CsvAnalyser {
  constructor(
    private readonly client: ApiClient,
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly pollMs = 1_000,
  ) {}

  async analyse(input: CsvInput, onProgress: (done: number, total: number) => void): Promise<RowResult[]> {
    const form = new FormData();
    form.append("text_column", input.column);
    if (input.domain) form.append("domain", input.domain);
    form.append("file", new Blob([new Uint8Array(input.content)], { type: "text/csv" }), input.name);
    const response = await fetch(`${this.baseUrl.replace(/\/+$/, "")}/api/predict/batch`, { method: "POST", headers: { authorization: `Bearer ${this.token}` }, body: form });
    const answer = (await response.json()) as { id?: string; error?: { code: string; message: string; messageKey: string | null } };
    if (!response.ok || !answer.id) throw new Error(`${response.status} ${answer.error?.messageKey ?? ""}: ${answer.error?.message ?? "the upload was refused"}`);
    const id = answer.id;
    for (;;) {
      const batch = await this.client.batch.get.query({ id });
      onProgress(batch.processed, batch.total);
      if (batch.status === "completed") break;
      if (batch.status === "failed" || batch.status === "cancelled") throw new Error(`batch ${id} ${batch.status}${batch.error ? `: ${batch.error}` : ""}`);
      await sleep(this.pollMs);
    }
    const results: RowResult[] = [];
    for (let page = 1; ; page++) {
      const { rows, total } = await this.client.batch.results.query({ id, page, pageSize: RESULTS_PAGE, sort: "row" });
      for (const r of rows) results.push({ row: r.rowNumber, text: r.text, label: r.label, confidence: r.confidence, probabilities: r.probabilities, aspects: r.aspects });
      if (page * RESULTS_PAGE >= total) return results;
    }
  }
}

export class ChunkedManyAnalyser implements CsvAnalyser {
  constructor(
    private readonly client: ApiClient,
    private readonly chunkSize: number,
  ) {}

  async analyse({ texts, domain }: CsvInput, onProgress: (done: number, total: number) => void): Promise<RowResult[]> {
    const results: RowResult[] = [];
    onProgress(0, texts.length);
    for (let start = 0; start < texts.length; start += this.chunkSize) {
      const chunk = texts.slice(start, start + this.chunkSize);
      const answer = await this.client.predict.many.mutate({ texts: chunk, ...(domain ? { domain } : {}) });
      answer.results.forEach((r, i) => results.push({ row: start + i + 1, text: r.text, label: r.label, confidence: r.confidence, probabilities: r.probabilities, aspects: r.aspects }));
      onProgress(results.length, texts.length);
    }
    return results;
  }
}

/** The texts of one column (default "text"); rows numbered from 1 after the header. Empty texts are refused with their row. */
export function readTextColumn(content: string, column: string, source: string): string[] {
  const parsed = Papa.parse<Record<string, string>>(content.replace(/^\uFEFF/, ""), { header: true, skipEmptyLines: "greedy" });
  const fatal = parsed.errors.find((e) => e.type !== "FieldMismatch");
  if (fatal) throw new Error(`${source}: row ${(fatal.row ?? 0) + 1}: ${fatal.message}`);
  const fields = parsed.meta.fields ?? [];
  if (!fields.includes(column)) throw new Error(`${source}: no column "${column}" (found: ${fields.join(", ") || "none"}); choose one with --column`);
  const texts = parsed.data.map((row) => row[column] ?? "");
  const empty = texts.findIndex((t) => !t.trim());
  if (empty >= 0) throw new Error(`${source}: row ${empty + 1} has an empty "${column}"`);
  return texts;
}

export function resultsCsv(results: RowResult[], labels: string[]): string {
  // one aspect_<id> column per aspect found in the file (as the server's export with domain auto)
  const aspects = [...new Set(results.flatMap((r) => (r.aspects ?? []).map((a) => a.aspect)))].sort();
  const rows = results.map((r) => {
    const found = new Map((r.aspects ?? []).map((a) => [a.aspect, a.polarity]));
    return [r.row, r.text, r.label, r.confidence.toFixed(4), ...labels.map((l) => (r.probabilities[l] ?? 0).toFixed(4)), ...aspects.map((a) => found.get(a) ?? "")];
  });
  // A byte-order mark so that Excel reads the Vietnamese text as UTF-8.
  return `\uFEFF${Papa.unparse({ fields: ["row", "text", "label", "confidence", ...labels, ...aspects.map((a) => `aspect_${a.toLowerCase()}`)], data: rows })}\r\n`;
}
