// Analyses the texts of a CSV file. Today through predict.many in chunks; a batch-job analyser can implement
// the same interface (upload, poll progress, read results) and replace it without touching the command.
import Papa from "papaparse";
import type { ApiClient } from "./client.ts";

export type RowResult = { row: number; text: string; label: string; confidence: number; probabilities: Record<string, number> };

export interface CsvAnalyser {
  analyse(texts: string[], onProgress: (done: number, total: number) => void): Promise<RowResult[]>;
}

export class ChunkedManyAnalyser implements CsvAnalyser {
  constructor(
    private readonly client: ApiClient,
    private readonly chunkSize: number,
  ) {}

  async analyse(texts: string[], onProgress: (done: number, total: number) => void): Promise<RowResult[]> {
    const results: RowResult[] = [];
    onProgress(0, texts.length);
    for (let start = 0; start < texts.length; start += this.chunkSize) {
      const chunk = texts.slice(start, start + this.chunkSize);
      const answer = await this.client.predict.many.mutate({ texts: chunk });
      answer.results.forEach((r, i) => results.push({ row: start + i + 1, text: r.text, label: r.label, confidence: r.confidence, probabilities: r.probabilities }));
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
  const rows = results.map((r) => [r.row, r.text, r.label, r.confidence.toFixed(4), ...labels.map((l) => (r.probabilities[l] ?? 0).toFixed(4))]);
  // A byte-order mark so that Excel reads the Vietnamese text as UTF-8.
  return `\uFEFF${Papa.unparse({ fields: ["row", "text", "label", "confidence", ...labels], data: rows })}\r\n`;
}
