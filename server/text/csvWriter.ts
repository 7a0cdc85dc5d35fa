// The one CSV writer for files a person may open in a spreadsheet: CRLF records, and any cell starting
// with = + - @ (or a tab / carriage return) prefixed with ' so it is never run as a formula.
import Papa from "papaparse";

/** Excel reads a CSV as UTF-8 only when it starts with a byte-order mark. */
export const CSV_BOM = "\uFEFF";

type Cell = string | number | boolean | null | undefined;

/** The records as CSV text, each ending with CRLF ("" for none). */
export function csvRecords(records: Cell[][]): string {
  if (records.length === 0) return "";
  return Papa.unparse(records, { newline: "\r\n", escapeFormulae: true }) + "\r\n";
}
