// Reads an uploaded CSV file as a stream: refuses what is not a CSV, detects the encoding, delimiter and
// header, guesses the text column, then yields rows one by one, skipping (with the reason) rows it cannot use.
// Limits are enforced while reading, so a file over them is refused as soon as it crosses one.
import { isUtf8 } from "node:buffer";
import { Readable } from "node:stream";
import Papa from "papaparse";
import { AppError } from "../errors.ts";
import { hasVisibleCharacters } from "../text/visibleText.ts";

export type CsvEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1258";
export type CsvFormat = { encoding: CsvEncoding; bom: boolean; delimiter: string; hasHeader: boolean };
export type CsvLimits = { maxBytes: number; maxRows: number; maxCellChars: number };
export type SkipReason = "ragged" | "cellTooLong" | "emptyText" | "invalidUtf8";
/** `offset`: for `invalidUtf8`, where in the file (bytes from 0) the first bad byte of the row sits. */
export type SkippedRow = { row: number; reason: SkipReason; message: string; offset?: number };
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

/** Where the decoder put U+FFFD: the file offset of the bad bytes it stands for, or null for a U+FFFD the file holds. */
export type Replacements = { offsets: (number | null)[] };

/** The length of the UTF-8 sequence a lead byte starts and the range its second byte must fall in; null: no lead byte. */
function sequence(lead: number): [length: number, low: number, high: number] | null {
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return null;
}

/**
 * Streaming UTF-8 that does not stop at bad bytes: each maximal invalid subpart becomes one U+FFFD (as
 * the WHATWG decoder does) and its file offset is recorded, so the row holding it can be skipped and named.
 */
class TolerantUtf8 {
  readonly replacements: Replacements = { offsets: [] };
  invalid = 0;
  multiByte = 0;
  private pending = Buffer.alloc(0);
  private pendingOffset = 0;

  /** `count`: also count the multi-byte characters (the sample), which takes the byte-by-byte path. */
  decode(chunk: Uint8Array, offset: number, final = false, count = false): string {
    const bytes = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const base = this.pending.length ? this.pendingOffset : offset;
    if (!count && !final) {
      // the usual chunk is valid: let the native check and decoder do it, keeping a character cut at the end
      let cut = bytes.length;
      while (cut > 0 && bytes.length - cut < 3 && bytes[cut - 1]! >= 0x80 && bytes[cut - 1]! < 0xc0) cut--;
      const lead = cut > 0 ? bytes[cut - 1]! : 0;
      cut = lead >= 0xc0 && (sequence(lead)?.[0] ?? 1) > bytes.length - cut + 1 ? cut - 1 : bytes.length;
      if (isUtf8(bytes.subarray(0, cut))) {
        const text = bytes.toString("utf8", 0, cut);
        for (let at = text.indexOf("\ufffd"); at >= 0; at = text.indexOf("\ufffd", at + 1)) this.replacements.offsets.push(null);
        this.pending = Buffer.from(bytes.subarray(cut));
        this.pendingOffset = base + cut;
        return text;
      }
    }
    let out = "";
    let runStart = 0;
    let i = 0;
    const flush = (end: number) => {
      if (end > runStart) {
        const text = bytes.toString("utf8", runStart, end);
        for (let at = text.indexOf("\ufffd"); at >= 0; at = text.indexOf("\ufffd", at + 1)) this.replacements.offsets.push(null);
        out += text;
      }
    };
    while (i < bytes.length) {
      const lead = bytes[i]!;
      if (lead < 0x80) {
        i++;
        continue;
      }
      const shape = sequence(lead);
      let valid = 0;
      if (shape) {
        const [length, low, high] = shape;
        valid = 1;
        while (valid < length && i + valid < bytes.length) {
          const b = bytes[i + valid]!;
          const ok = valid === 1 ? b >= low && b <= high : b >= 0x80 && b <= 0xbf;
          if (!ok) break;
          valid++;
        }
        if (valid === length) {
          this.multiByte++;
          i += length;
          continue;
        }
        // cut by the chunk's end: wait for the next chunk
        if (i + valid === bytes.length && !final) break;
      }
      flush(i);
      out += "\ufffd";
      this.replacements.offsets.push(base + i);
      this.invalid++;
      i += Math.max(valid, 1);
      runStart = i;
    }
    flush(i);
    this.pending = Buffer.from(bytes.subarray(i));
    this.pendingOffset = base + i;
    return out;
  }

  end(): string {
    return this.pending.length ? this.decode(new Uint8Array(0), this.pendingOffset, true) : "";
  }
}

/** Valid multi-byte characters needed before a sample with bad bytes is still taken as UTF-8. */
const UTF8_EVIDENCE_CHARS = 16;
/** ... and at least this many of them per bad sequence: text in a legacy code page is nearly all bad sequences. */
const UTF8_EVIDENCE_RATIO = 20;

type Decoder = { decode(chunk: Uint8Array, offset: number): string; end(): string };

/**
 * The file as text, chunk by chunk. Counts raw bytes against maxBytes as they arrive. The encoding is
 * decided on the first 64 KB: a BOM or UTF-16's zero bytes; else UTF-8 when the sample is valid UTF-8, or
 * when its valid multi-byte characters far outnumber its bad sequences (a UTF-8 file with a damaged byte:
 * the rows holding bad bytes are skipped later, see `replacements`); else Windows-1258 (what Vietnamese
 * Excel writes; its Latin letters agree with Windows-1252). Bad bytes after a pure-ASCII sample are refused:
 * nothing showed which encoding the file is in.
 */
async function* decodeText(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  onFormat: (f: { encoding: CsvEncoding; bom: boolean }, replacements: Replacements | null) => void,
): AsyncGenerator<string> {
  let bytes = 0;
  let head: Uint8Array[] = [];
  let headBytes = 0;
  let decoder: Decoder | null = null;
  const tooLarge = () => fileTooLarge(maxBytes);
  const strict = (encoding: CsvEncoding): Decoder => {
    // ignoreBOM false: the decoder drops the byte-order mark itself
    const d = new TextDecoder(encoding, { fatal: encoding !== "windows-1258" });
    return {
      decode: (chunk, offset) => {
        try {
          return d.decode(chunk, { stream: true });
        } catch {
          throw fileError("batch.fileEncoding", `The file is not valid ${encoding.toUpperCase()} text after byte ${offset}: save it as CSV UTF-8 (or UTF-16); Windows-1258/1252 files are read only when the first 64 KB already show it`);
        }
      },
      end: () => d.decode(),
    };
  };
  const tolerant = (utf8: TolerantUtf8): Decoder => ({ decode: (chunk, offset) => utf8.decode(chunk, offset), end: () => utf8.end() });
  const start = (sample: Uint8Array) => {
    refuseBinary(sample);
    const sniffed = sniffEncoding(sample);
    if (sniffed && sniffed.encoding !== "utf-8") {
      onFormat(sniffed, null);
      decoder = strict(sniffed.encoding);
      return decoder.decode(sample, 0);
    }
    const bom = sniffed?.bom ?? false;
    const utf8 = new TolerantUtf8();
    const body = bom ? sample.subarray(3) : sample;
    const text = utf8.decode(body, bom ? 3 : 0, false, true);
    const evidence = utf8.multiByte >= UTF8_EVIDENCE_CHARS && utf8.multiByte >= utf8.invalid * UTF8_EVIDENCE_RATIO;
    if (utf8.invalid === 0 || bom || evidence) {
      onFormat({ encoding: "utf-8", bom }, utf8.replacements);
      // bad bytes later are a damaged byte only when the sample showed UTF-8 (a BOM, or multi-byte letters)
      if (bom || utf8.multiByte > 0) {
        decoder = tolerant(utf8);
        return text;
      }
      decoder = strict("utf-8");
      return decoder.decode(body, bom ? 3 : 0);
    }
    onFormat({ encoding: "windows-1258", bom: false }, null);
    decoder = strict("windows-1258");
    return decoder.decode(sample, 0);
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
    const text = (decoder as Decoder).decode(chunk, bytes - chunk.length);
    if (text) yield text;
  }
  if (!decoder) {
    const sample = Buffer.concat(head);
    if (sample.length === 0) throw fileError("batch.fileEmpty", "The file is empty");
    const text = start(sample);
    if (text) yield text;
  }
  const rest = (decoder as Decoder | null)?.end() ?? "";
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
 * The file offset of the first bad byte in a record, reading the decoder's replacements in text order
 * (`cursor` moves past every U+FFFD of the record); null when the record has none.
 */
function badByteOffset(cells: string[], replacements: Replacements | null, cursor: { next: number }): number | null {
  if (!replacements || replacements.offsets.length === 0) return null;
  let first: number | null = null;
  for (const cell of cells) {
    for (let at = cell.indexOf("\ufffd"); at >= 0; at = cell.indexOf("\ufffd", at + 1)) {
      const offset = replacements.offsets[cursor.next++] ?? null;
      if (first === null && offset !== null) first = offset;
    }
  }
  return first;
}

/**
 * Opens an uploaded file: reads up to 64 KB to learn its format, then hands back the columns, a preview
 * and a generator over its rows. `textColumn` (a column name, case-insensitive) overrides the guess.
 */
export async function openCsvUpload(source: AsyncIterable<Uint8Array>, limits: CsvLimits, textColumn?: string | null): Promise<CsvUpload> {
  let encoding: { encoding: CsvEncoding; bom: boolean } = { encoding: "utf-8", bom: false };
  let replacements: Replacements | null = null;
  const text = decodeText(source, limits.maxBytes, (f, r) => {
    encoding = f;
    replacements = r;
  });
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
  const sampleCursor = { next: 0 };
  // a record with bad bytes is neither a header nor a preview row (items() skips it)
  const sampleRecords = parse(sample).filter((r) => badByteOffset(r, replacements, sampleCursor) === null).map((r) => r.map(cleanCell));
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
    let rows = 0;
    const cursor = { next: 0 };
    let headerSeen = !hasHeader;
    try {
      for await (const raw of parser as AsyncIterable<string[]>) {
        const badByte = badByteOffset(raw, replacements, cursor);
        // drop what the rows read so far have used: the list then holds only what the decoder is ahead by
        if (replacements && cursor.next >= 4_096) {
          replacements.offsets.splice(0, cursor.next);
          cursor.next = 0;
        }
        if (!headerSeen && badByte === null) {
          headerSeen = true;
          continue;
        }
        rows++;
        if (rows > limits.maxRows) {
          throw new AppError("PAYLOAD_TOO_LARGE", "batch.tooManyRows", `The file has too many rows: more than ${limits.maxRows} (the limit)`, "file");
        }
        if (badByte !== null) {
          yield { kind: "skipped", row: rows, reason: "invalidUtf8", offset: badByte, message: `row ${rows}: bytes that are not UTF-8 at byte ${badByte} of the file (counted from 0); the row was skipped, the rest of the file is read as UTF-8` };
          continue;
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
