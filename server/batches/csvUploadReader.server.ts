// Reads an uploaded CSV file as a stream: refuses what is not a CSV, detects the encoding, delimiter and
// header, guesses the text column, then yields rows one by one, skipping (with the reason) rows it cannot use.
// Limits are enforced while reading, so a file over them is refused as soon as it crosses one.
import { Readable } from "node:stream";
import Papa from "papaparse";
import { AppError } from "../errors.ts";
import { hasVisibleCharacters } from "../text/visibleText.ts";

export type CsvEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1258";
export type CsvFormat = { encoding: CsvEncoding; bom: boolean; delimiter: string; hasHeader: boolean };
export type CsvLimits = { maxBytes: number; maxRows: number; maxCellChars: number };
export type SkipReason = "ragged" | "cellTooLong" | "emptyText";
export type SkippedRow = { row: number; reason: SkipReason; message: string };
export type CsvRow = { rowNumber: number; cells: string[] };
export type CsvItem = ({ kind: "row" } & CsvRow) | ({ kind: "skipped" } & SkippedRow);

export type CsvUpload = {
  format: CsvFormat;
  columns: string[];
  /** Index into `columns` of the column analysed: the one asked for, or the guess. */
  textColumnIndex: number;
  guessedTextColumn: string;
  /** The first data rows (at most PREVIEW_ROWS), as read. */
  preview: string[][];
  /** Every data row after the header, the previewed ones included; throws an AppError when a limit is crossed. */
  items(): AsyncGenerator<CsvItem>;
};

export const PREVIEW_ROWS = 10;
/** Bytes read before deciding the encoding, delimiter, header and text column. */
const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_RECORDS = 200;
const DELIMITERS = [",", ";", "\t", "|"];
const HEADER_CELL_MAX_CHARS = 64;
const VIETNAMESE_LETTER = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/giu;
const LETTER = /\p{L}/gu;
const CONTROL = /[\u0000-\u0008\u000e-\u001f]/g;

const fileError = (key: string, message: string) => new AppError("BAD_REQUEST", key, message, "file");
const SAVE_AS_CSV = "save it as CSV (UTF-8) from your spreadsheet program and upload that";

/** Refuses files that are plainly not text: spreadsheets, archives, PDFs, other binaries. */
function refuseBinary(head: Uint8Array): void {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) {
    throw fileError("batch.fileNotCsvSpreadsheet", `This is an Excel (.xlsx) or zip file, not a CSV: ${SAVE_AS_CSV}`);
  }
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) throw fileError("batch.fileNotCsvSpreadsheet", `This is an old Excel (.xls) file, not a CSV: ${SAVE_AS_CSV}`);
  if (starts(0x25, 0x50, 0x44, 0x46) || starts(0x1f, 0x8b)) throw fileError("batch.fileBinary", `This is a binary file (PDF or gzip), not a CSV: ${SAVE_AS_CSV}`);
}

/** The encoding from a byte-order mark, or from where the zero bytes of UTF-16 text sit; null = UTF-8 or a legacy code page. */
function sniffEncoding(head: Uint8Array): { encoding: CsvEncoding; bom: boolean } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: "utf-8", bom: true };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: "utf-16le", bom: true };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf-16be", bom: true };
  const pairs = Math.floor(Math.min(head.length, 4096) / 2);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenZeros++;
    if (head[2 * i + 1] === 0) oddZeros++;
  }
  if (pairs > 0 && oddZeros > pairs * 0.3 && evenZeros === 0) return { encoding: "utf-16le", bom: false };
  if (pairs > 0 && evenZeros > pairs * 0.3 && oddZeros === 0) return { encoding: "utf-16be", bom: false };
  if (evenZeros + oddZeros > 0) throw fileError("batch.fileBinary", `This file holds binary data (zero bytes), not CSV text: ${SAVE_AS_CSV}`);
  return null;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    // stream: true tolerates a character cut at the end of the sample
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The file as text, chunk by chunk. Counts raw bytes against maxBytes as they arrive. Text that is not
 * UTF-8 in the first 64 KB is read as Windows-1258 (what Vietnamese Excel writes; its Latin letters agree
 * with Windows-1252); invalid UTF-8 further on is refused.
 */
async function* decodeText(source: AsyncIterable<Uint8Array>, maxBytes: number, onFormat: (f: { encoding: CsvEncoding; bom: boolean }) => void): AsyncGenerator<string> {
  let bytes = 0;
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let decoder: TextDecoder | null = null;
  const tooLarge = () => fileTooLarge(maxBytes);
  const start = (sample: Uint8Array) => {
    refuseBinary(sample);
    const sniffed = sniffEncoding(sample);
    const format = sniffed ?? (isUtf8(sample) ? { encoding: "utf-8" as const, bom: false } : { encoding: "windows-1258" as const, bom: false });
    onFormat(format);
    // ignoreBOM false: the decoder drops the byte-order mark itself
    const d = new TextDecoder(format.encoding, { fatal: format.encoding !== "windows-1258" });
    const text = decodeChunk(d, sample, 0);
    decoder = d;
    return text;
  };
  const decodeChunk = (d: TextDecoder, chunk: Uint8Array, offset: number) => {
    try {
      return d.decode(chunk, { stream: true });
    } catch {
      throw fileError("batch.fileEncoding", `The file is not valid ${d.encoding.toUpperCase()} text after byte ${offset}: save it as CSV UTF-8 (or UTF-16); Windows-1258/1252 files are read only when the first 64 KB already show it`);
    }
  };
  for await (const raw of source) {
    const chunk = raw instanceof Uint8Array ? raw : Buffer.from(raw as string);
    bytes += chunk.length;
    if (bytes > maxBytes) throw tooLarge();
    if (!decoder) {
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < SAMPLE_BYTES) continue;
      const text = start(Buffer.concat(head));
      head = [];
      if (text) yield text;
      continue;
    }
    const text = decodeChunk(decoder, chunk, bytes - chunk.length);
    if (text) yield text;
  }
  if (!decoder) {
    const sample = Buffer.concat(head);
    if (sample.length === 0) throw fileError("batch.fileEmpty", "The file is empty");
    const text = start(sample);
    if (text) yield text;
  }
  const rest = (decoder as TextDecoder | null)?.decode() ?? "";
  if (rest) yield rest;
}

function vietnameseScore(text: string): number {
  return (text.match(VIETNAMESE_LETTER)?.length ?? 0) * 3 + (text.match(LETTER)?.length ?? 0);
}

/** The column whose cells hold the most Vietnamese text (accented letters weigh triple); -1 when none has letters. */
export function guessTextColumn(rows: string[][], columnCount: number): number {
  let best = -1;
  let bestScore = 0;
  for (let c = 0; c < columnCount; c++) {
    let score = 0;
    for (const row of rows) score += vietnameseScore(row[c] ?? "");
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  // fewer than two letters a row on average is no text to analyse (ids, numbers, dates)
  return bestScore >= rows.length * 2 ? best : -1;
}

/** Whether the first record names the columns: distinct, short, non-empty, not numbers. */
export function looksLikeHeader(first: string[], rest: string[][]): boolean {
  const cells = first.map((c) => c.trim());
  if (cells.some((c) => !c || c.length > HEADER_CELL_MAX_CHARS || /^[-+]?[\d.,\s]+$/.test(c))) return false;
  if (new Set(cells.map((c) => c.toLowerCase())).size !== cells.length) return false;
  if (rest.length === 0) return true;
  // A header cell above a text column is much shorter than the texts under it.
  const textColumn = guessTextColumn(rest, cells.length);
  if (textColumn < 0) return true;
  const lengths = rest.map((r) => (r[textColumn] ?? "").length).sort((a, b) => a - b);
  const median = lengths[Math.floor(lengths.length / 2)] ?? 0;
  return cells[textColumn]!.length < 24 || cells[textColumn]!.length * 2 < median;
}

function detectDelimiter(sample: string): string {
  let best = ",";
  let bestScore = -1;
  for (const delimiter of DELIMITERS) {
    const { data } = Papa.parse<string[]>(sample, { delimiter, preview: 50, skipEmptyLines: true });
    // drop the last record: the sample may end inside it
    const rows = data.length > 1 ? data.slice(0, -1) : data;
    const counts = rows.map((r) => r.length);
    const first = counts[0] ?? 1;
    if (first < 2) continue;
    const consistent = counts.filter((c) => c === first).length / counts.length;
    const score = consistent * 100 + first;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

const cleanCell = (cell: string) => cell.normalize("NFC");

/**
 * Opens an uploaded file: reads up to 64 KB to learn its format, then hands back the columns, a preview
 * and a generator over its rows. `textColumn` (a column name, case-insensitive) overrides the guess.
 */
export async function openCsvUpload(source: AsyncIterable<Uint8Array>, limits: CsvLimits, textColumn?: string | null): Promise<CsvUpload> {
  let encoding: { encoding: CsvEncoding; bom: boolean } = { encoding: "utf-8", bom: false };
  const text = decodeText(source, limits.maxBytes, (f) => (encoding = f));
  // Read text until the sample is large enough to decide on; the rest streams through papaparse.
  let sample = "";
  let ended = false;
  while (sample.length < SAMPLE_BYTES) {
    const next = await text.next();
    if (next.done) {
      ended = true;
      break;
    }
    sample += next.value;
  }
  if (!hasVisibleCharacters(sample)) throw fileError("batch.fileEmpty", "The file is empty (no text in it)");
  const controls = sample.match(CONTROL)?.length ?? 0;
  if (controls > sample.length * 0.01) throw fileError("batch.fileBinary", `This file holds binary data, not CSV text: ${SAVE_AS_CSV}`);

  const delimiter = detectDelimiter(sample);
  const parse = (chunk: string) => Papa.parse<string[]>(chunk, { delimiter, skipEmptyLines: true, preview: SAMPLE_RECORDS + 1 }).data;
  const sampleRecords = parse(sample).map((r) => r.map(cleanCell));
  if (!ended && sampleRecords.length > 1) sampleRecords.pop();
  const first = sampleRecords[0] ?? [];
  const hasHeader = looksLikeHeader(first, sampleRecords.slice(1));
  const columns = hasHeader ? first.map((c) => c.trim()) : first.map((_, i) => `column_${i + 1}`);
  const sampleRows = (hasHeader ? sampleRecords.slice(1) : sampleRecords).filter((r) => r.length === columns.length);
  if (hasHeader && sampleRecords.length === 1) throw fileError("batch.fileHeaderOnly", "The file has a header row but no data rows");

  const guess = guessTextColumn(sampleRows, columns.length);
  let textColumnIndex = guess;
  if (textColumn) {
    textColumnIndex = columns.findIndex((c) => c.toLowerCase() === textColumn.trim().toLowerCase());
    if (textColumnIndex < 0) {
      throw new AppError("BAD_REQUEST", "batch.textColumnMissing", `The file has no column "${textColumn}"; its columns are: ${columns.join(", ")}`, "text_column");
    }
  } else if (guess < 0) {
    throw fileError("batch.noTextColumn", `No column of this file holds text to analyse (columns: ${columns.join(", ")})`);
  }

  async function* items(): AsyncGenerator<CsvItem> {
    const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { delimiter, skipEmptyLines: true });
    const input = Readable.from((async function* () {
      yield sample;
      if (!ended) yield* text;
    })());
    let inputError: unknown = null;
    input.on("error", (error) => {
      inputError = error;
      parser.destroy(error);
    });
    input.pipe(parser);
    let record = 0;
    let rows = 0;
    try {
      for await (const raw of parser as AsyncIterable<string[]>) {
        record++;
        if (record === 1 && hasHeader) continue;
        rows++;
        if (rows > limits.maxRows) {
          throw new AppError("PAYLOAD_TOO_LARGE", "batch.tooManyRows", `The file has too many rows: more than ${limits.maxRows} (the limit)`, "file");
        }
        let cells = raw;
        // a trailing delimiter adds empty cells: not a reason to skip the row
        while (cells.length > columns.length && cells[cells.length - 1] === "") cells = cells.slice(0, -1);
        if (cells.length !== columns.length) {
          yield { kind: "skipped", row: rows, reason: "ragged", message: `row ${rows} has ${cells.length} fields, the header has ${columns.length}` };
          continue;
        }
        const long = cells.findIndex((c) => c.length > limits.maxCellChars);
        if (long >= 0) {
          yield { kind: "skipped", row: rows, reason: "cellTooLong", message: `row ${rows}: column "${columns[long]}" has ${cells[long]!.length} characters, the limit is ${limits.maxCellChars}` };
          continue;
        }
        const clean = cells.map(cleanCell);
        if (!hasVisibleCharacters(clean[textColumnIndex]!)) {
          yield { kind: "skipped", row: rows, reason: "emptyText", message: `row ${rows}: the text column "${columns[textColumnIndex]}" is empty` };
          continue;
        }
        yield { kind: "row", rowNumber: rows, cells: clean };
      }
    } catch (error) {
      throw inputError ?? error;
    } finally {
      input.destroy();
      parser.destroy();
    }
    if (inputError) throw inputError;
  }

  return {
    format: { ...encoding, delimiter, hasHeader },
    columns,
    textColumnIndex,
    guessedTextColumn: guess >= 0 ? columns[guess]! : columns[textColumnIndex]!,
    preview: sampleRows.slice(0, PREVIEW_ROWS),
    items,
  };
}

/** The upload limit as a person reads it: megabytes with one decimal (a 200,000-byte limit is "0.2 MB", not "0 MB"). */
export function fileTooLarge(maxBytes: number, sentBytes?: number): AppError {
  const sent = sentBytes === undefined ? `more than ${maxBytes} bytes` : `${sentBytes} bytes`;
  return new AppError("PAYLOAD_TOO_LARGE", "batch.fileTooLarge", `The file is too large (${sent}): the limit is ${(maxBytes / 1_000_000).toFixed(1)} MB (${maxBytes} bytes)`, "file");
}
