// A batch's results as the downloads write them (results.csv and results.json): every row of the file,
// the analysed ones with their cells and probabilities, the skipped ones with an empty label and the reason.
import type { PrismaClient } from "../db/generated/client.ts";
import { csvRecords } from "../text/csvWriter.ts";
import { aspectCells, aspectHeader, aspectObject } from "./batchAspects.server.ts";
import { resultsOrder, resultsWhere, type BatchSummary, type ResultsQuery } from "./batchStore.server.ts";
import type { SkippedRow } from "./csvUploadReader.server.ts";

/** Results read from the database per query while streaming an export. */
const EXPORT_PAGE = 1_000;

export type ExportQuery = Pick<ResultsQuery, "label" | "search" | "sort" | "aspect" | "polarity">;
export type AnalysedRow = {
  kind: "analysed"; rowNumber: number; label: string; confidence: number; probabilities: Record<string, number>; cells: string[];
  language: string | null; notVietnamese: boolean; modelKind: string; aspects: unknown;
};
export type ExportRow = AnalysedRow | ({ kind: "skipped" } & SkippedRow);

const rowOf = (r: ExportRow) => (r.kind === "analysed" ? r.rowNumber : r.row);

/**
 * The export's rows a page at a time. Skipped rows (those the batch kept details of) are listed only when no
 * label, search or aspect filters the export: in file order among the others, or after them when sorted by confidence.
 * Pages follow the last row written (keyset, on the export indexes), so each costs the same however deep; between
 * pages the event loop gets a turn: on the embedded database every query runs on this thread.
 */
export async function* exportRows(prisma: PrismaClient, batch: Pick<BatchSummary, "id" | "skipped">, query: ExportQuery): AsyncGenerator<ExportRow[]> {
  const skipped: ExportRow[] = query.label || query.search.trim() || query.aspect ? [] : (batch.skipped as SkippedRow[]).map((s) => ({ kind: "skipped" as const, ...s })).sort((a, b) => rowOf(a) - rowOf(b));
  const inFileOrder = query.sort === "row";
  const filter = resultsWhere(batch.id, query);
  const select = { rowNumber: true, label: true, confidence: true, probabilities: true, language: true, notVietnamese: true, modelKind: true, aspects: true } as const;
  let last: { rowNumber: number; confidence: number } | null = null;
  for (;;) {
    let page;
    if (inFileOrder || !last) {
      page = await prisma.prediction.findMany({ where: { AND: [filter, last ? { rowNumber: { gt: last.rowNumber } } : {}] }, orderBy: resultsOrder(query.sort), take: EXPORT_PAGE, select });
    } else {
      // Two range reads instead of one OR (which the database answers by reading every row beyond the last
      // one): the rest of the last confidence's ties, then the confidences past it.
      const ties = await prisma.prediction.findMany({ where: { AND: [filter, { confidence: last.confidence, rowNumber: { gt: last.rowNumber } }] }, orderBy: { rowNumber: "asc" }, take: EXPORT_PAGE, select });
      const beyond = query.sort === "confidence" ? { gt: last.confidence } : { lt: last.confidence };
      const rest = ties.length < EXPORT_PAGE ? await prisma.prediction.findMany({ where: { AND: [filter, { confidence: beyond }] }, orderBy: resultsOrder(query.sort), take: EXPORT_PAGE - ties.length, select }) : [];
      page = [...ties, ...rest];
    }
    const numbers = page.map((p) => p.rowNumber ?? 0);
    const cells = page.length
      ? await prisma.$queryRaw<{ rowNumber: number; cells: string[] }[]>`
          SELECT "row_number" AS "rowNumber", "cells" FROM "batch_rows" WHERE "batch_id" = ${batch.id} AND "row_number" = ANY(${numbers}::int[])`
      : [];
    const byRow = new Map(cells.map((c) => [c.rowNumber, c.cells]));
    const rows: ExportRow[] = page.map((p) => ({
      kind: "analysed", rowNumber: p.rowNumber ?? 0, label: p.label, confidence: p.confidence,
      probabilities: p.probabilities as Record<string, number>, cells: byRow.get(p.rowNumber ?? 0) ?? [],
      language: p.language, notVietnamese: p.notVietnamese, modelKind: p.modelKind, aspects: p.aspects,
    }));
    const lastPage = page.length < EXPORT_PAGE;
    if (inFileOrder) {
      const upTo = lastPage ? Infinity : rowOf(rows[rows.length - 1]!);
      while (skipped.length && rowOf(skipped[0]!) < upTo) rows.push(skipped.shift()!);
      rows.sort((a, b) => rowOf(a) - rowOf(b));
    } else if (lastPage) {
      rows.push(...skipped.splice(0));
    }
    if (rows.length) yield rows;
    if (lastPage) return;
    const end: { rowNumber: number | null; confidence: number } = page[page.length - 1]!;
    last = { rowNumber: end.rowNumber ?? 0, confidence: end.confidence };
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** results.csv's header: the file's columns, then row, label, confidence, one probability per label, the language check,
 * the model that answered, one aspect_<id> column per aspect of the batch's domain, and why a row was skipped. */
export function resultsCsvHeader(columns: string[], labels: string[], aspects: string[]): string {
  return csvRecords([[...columns, "row", "label", "confidence", ...labels.map((l) => `p_${l}`), "language", "not_vietnamese", "model", ...aspectHeader(aspects), "skipped"]]);
}

export function resultsCsvRows(rows: ExportRow[], columns: string[], labels: string[], aspects: string[]): string {
  return csvRecords(
    rows.map((r) =>
      r.kind === "analysed"
        ? [...r.cells, String(r.rowNumber), r.label, r.confidence.toFixed(4), ...labels.map((l) => (r.probabilities[l] ?? 0).toFixed(4)), r.language ?? "", String(r.notVietnamese), r.modelKind, ...aspectCells(r.aspects, aspects), ""]
        : [...columns.map(() => ""), String(r.row), "", "", ...labels.map(() => ""), "", "", "", ...aspects.map(() => ""), r.message],
    ),
  );
}

/** results.json's items, joined with commas (the caller writes the brackets). */
export function resultsJsonItems(rows: ExportRow[], columns: string[], aspects: string[]): string {
  return rows
    .map((r) =>
      JSON.stringify(
        r.kind === "analysed"
          ? { row: r.rowNumber, columns: Object.fromEntries(columns.map((c, i) => [c, r.cells[i] ?? ""])), label: r.label, confidence: r.confidence, probabilities: r.probabilities,
              language: r.language, notVietnamese: r.notVietnamese, modelKind: r.modelKind, ...aspectObject(r.aspects, aspects) }
          : { row: r.row, columns: {}, label: "", confidence: null, probabilities: null, skipped: { reason: r.reason, message: r.message } },
      ),
    )
    .join(",");
}
