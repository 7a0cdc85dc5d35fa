// The one CSV reader for labelled `text,label` files (RFC 4180: quoted newlines, CRLF, leading spaces kept).
import Papa from "papaparse";
import { readFileSync } from "node:fs";

export type LabelledRow = { text: string; label: string };

export function parseLabelledCsv(content: string, source = "CSV"): LabelledRow[] {
  const parsed = Papa.parse<Record<string, string>>(content.replace(/^\uFEFF/, ""), {
    header: true,
    skipEmptyLines: "greedy",
  });
  const fatal = parsed.errors.find((e) => e.type !== "FieldMismatch");
  if (fatal) throw new Error(`${source}: row ${(fatal.row ?? 0) + 2}: ${fatal.message}`);
  const fields = parsed.meta.fields ?? [];
  if (!fields.includes("text") || !fields.includes("label")) {
    throw new Error(`${source}: the header must have the columns "text" and "label" (found: ${fields.join(", ") || "none"})`);
  }
  return parsed.data.map((row) => ({ text: row.text ?? "", label: (row.label ?? "").trim().toLowerCase() }));
}

export function readLabelledCsv(path: string): LabelledRow[] {
  return parseLabelledCsv(readFileSync(path, "utf8"), path);
}
