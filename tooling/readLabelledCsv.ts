// The one CSV reader for labelled `text,label` files (RFC 4180: quoted newlines, CRLF, leading spaces kept).
import Papa from "papaparse";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";

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

export function readLabelledCsv(file: string): LabelledRow[] {
  return parseLabelledCsv(readFileSync(file, "utf8"), file);
}

/** The datasets under `dataDir` (one folder each) that have `<split>.csv`, sorted by name. */
export function labelledSplitFiles(dataDir: string, split: "train" | "dev"): { dataset: string; file: string }[] {
  return readdirSync(dataDir)
    .sort()
    .map((dataset) => ({ dataset, file: path.join(dataDir, dataset, `${split}.csv`) }))
    .filter(({ file }) => existsSync(file));
}
