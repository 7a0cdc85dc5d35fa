// Analyses the texts of a CSV file: as a batch job (the file uploaded once, analysed in the background on the
// server, progress polled, results read page by page), or through predict.many in chunks (--via many).
import { setTimeout as sleep } from "node:timers/promises";
import { openCsvUpload } from "../../server/batches/csvUploadReader.server.ts";
import { csvRecords, CSV_BOM } from "../../server/text/csvWriter.ts";
import type { ApiClient } from "./client.ts";

export type RowAspect = { aspect: string; polarity: string; confidence: number };
export type RowResult = {
  row: number; text: string; label: string; confidence: number; probabilities: Record<string, number>;
  language?: string | null; notVietnamese?: boolean; aspects?: RowAspect[];
};

/** The file as read: its name and bytes, the column holding the texts, and those texts (already checked). */
export type CsvInput = { name: string; content: Buffer; column: string; texts: string[]; model: "fast" | "accurate"; domain?: string };

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
    form.append("model", input.model);
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
      for (const r of rows) results.push({ row: r.rowNumber, text: r.text, label: r.label, confidence: r.confidence, probabilities: r.probabilities, language: r.language, notVietnamese: r.notVietnamese, aspects: r.aspects });
      if (page * RESULTS_PAGE >= total) return results;
    }
  }
}

export class ChunkedManyAnalyser implements CsvAnalyser {
  constructor(
    private readonly client: ApiClient,
    private readonly chunkSize: number,
  ) {}

  async analyse({ texts, model, domain }: CsvInput, onProgress: (done: number, total: number) => void): Promise<RowResult[]> {
    const results: RowResult[] = [];
    onProgress(0, texts.length);
    for (let start = 0; start < texts.length; start += this.chunkSize) {
      const chunk = texts.slice(start, start + this.chunkSize);
      const answer = await this.client.predict.many.mutate({ texts: chunk, model, ...(domain ? { domain } : {}) });
      answer.results.forEach((r, i) => results.push({ row: start + i + 1, text: r.text, label: r.label, confidence: r.confidence, probabilities: r.probabilities, language: r.language, notVietnamese: r.notVietnamese, aspects: r.aspects }));
      onProgress(results.length, texts.length);
    }
    return results;
  }
}

/** No limits the server would apply: the CLI reads the whole local file (the server checks its own on upload). */
const LOCAL_FILE = (bytes: number) => ({ maxBytes: bytes + 1, maxRows: Number.MAX_SAFE_INTEGER, maxCellChars: Number.MAX_SAFE_INTEGER });

/**
 * The texts of one column (default "text"), read by the server's own upload reader (encodings, delimiters,
 * the same emptiness rule); rows numbered from 1 after the header. A row the server would skip is refused with its row.
 */
export async function readTextColumn(content: Buffer, column: string, source: string): Promise<string[]> {
  const bytes = async function* () {
    yield new Uint8Array(content);
  };
  const fail = (error: unknown): never => {
    throw new Error(`${source}: ${(error as Error).message}`);
  };
  const { columns } = await openCsvUpload(bytes(), LOCAL_FILE(content.length)).catch(fail);
  if (!columns.includes(column)) throw new Error(`${source}: no column "${column}" (found: ${columns.join(", ") || "none"}); choose one with --column`);
  const csv = await openCsvUpload(bytes(), LOCAL_FILE(content.length), column).catch(fail);
  const texts: string[] = [];
  for await (const item of csv.items()) {
    if (item.kind === "skipped") throw new Error(`${source}: ${item.message}`);
    texts.push(item.cells[csv.textColumnIndex]!);
  }
  return texts;
}

export function resultsCsv(results: RowResult[], labels: string[]): string {
  // one aspect_<id> column per aspect found in the file (as the server's export with domain auto)
  const aspects = [...new Set(results.flatMap((r) => (r.aspects ?? []).map((a) => a.aspect)))].sort();
  const rows = results.map((r) => {
    const found = new Map((r.aspects ?? []).map((a) => [a.aspect, a.polarity]));
    return [r.row, r.text, r.label, r.confidence.toFixed(4), ...labels.map((l) => (r.probabilities[l] ?? 0).toFixed(4)), r.language ?? "", String(r.notVietnamese ?? false), ...aspects.map((a) => found.get(a) ?? "")];
  });
  return CSV_BOM + csvRecords([["row", "text", "label", "confidence", ...labels, "language", "not_vietnamese", ...aspects.map((a) => `aspect_${a.toLowerCase()}`)], ...rows]);
}
