// A batch's aspects: the per-aspect columns of its exports, the filter on one aspect and polarity, and the
// aspect x polarity counts with the most confident example rows that the batch page charts.
import type { Prisma, PrismaClient } from "../db/generated/client.ts";
import type { AspectModel } from "../inference/aspectModel.server.ts";
import { AUTO_DOMAIN } from "../inference/aspectModel.server.ts";

export const POLARITIES = ["negative", "neutral", "positive"] as const;
export type Polarity = (typeof POLARITIES)[number];
/** What a prediction's `aspects` column holds, one entry per aspect found. */
export type StoredAspect = { aspect: string; polarity: Polarity; confidence: number; name_vi: string; name_en: string };

export const EXAMPLES_PER_CELL = 3;

export type AspectExample = { rowNumber: number; text: string; confidence: number; label: string };
export type AspectSummaryItem = {
  aspect: string;
  name_vi: string;
  name_en: string;
  total: number;
  counts: Record<Polarity, number>;
  examples: Record<Polarity, AspectExample[]>;
};

/** Rows whose aspects include `aspect` (with `polarity` when given): jsonb containment, so an index could serve it. */
export function aspectWhere(aspect: string | null, polarity: Polarity | null): Prisma.PredictionWhereInput {
  if (!aspect) return {};
  return { aspects: { array_contains: [{ aspect, ...(polarity ? { polarity } : {}) }] } };
}

/** Per aspect mentioned in the batch: counts per polarity, most mentioned first, with the most confident rows of each cell. */
export async function aspectSummary(prisma: PrismaClient, batchId: string): Promise<AspectSummaryItem[]> {
  const counts = await prisma.$queryRaw<{ aspect: string; polarity: Polarity; name_vi: string; name_en: string; n: number }[]>`
    SELECT a->>'aspect' AS aspect, a->>'polarity' AS polarity, max(a->>'name_vi') AS name_vi, max(a->>'name_en') AS name_en, count(*)::int AS n
    FROM "predictions" p, jsonb_array_elements(p."aspects") a
    WHERE p."batch_id" = ${batchId} AND p."aspects" IS NOT NULL
    GROUP BY 1, 2`;
  const examples = await prisma.$queryRaw<{ aspect: string; polarity: Polarity; rowNumber: number; text: string; confidence: number; label: string }[]>`
    SELECT aspect, polarity, "rowNumber", text, confidence, label FROM (
      SELECT a->>'aspect' AS aspect, a->>'polarity' AS polarity, p."row_number" AS "rowNumber", p."text" AS text, p."label" AS label,
             (a->>'confidence')::float8 AS confidence,
             row_number() OVER (PARTITION BY a->>'aspect', a->>'polarity' ORDER BY (a->>'confidence')::float8 DESC, p."row_number") AS rank
      FROM "predictions" p, jsonb_array_elements(p."aspects") a
      WHERE p."batch_id" = ${batchId} AND p."aspects" IS NOT NULL
    ) ranked WHERE rank <= ${EXAMPLES_PER_CELL}
    ORDER BY aspect, polarity, rank`;
  const items = new Map<string, AspectSummaryItem>();
  const empty = <T>(make: () => T) => Object.fromEntries(POLARITIES.map((p) => [p, make()])) as Record<Polarity, T>;
  for (const row of counts) {
    if (!POLARITIES.includes(row.polarity)) continue;
    let item = items.get(row.aspect);
    if (!item) items.set(row.aspect, (item = { aspect: row.aspect, name_vi: row.name_vi, name_en: row.name_en, total: 0, counts: empty(() => 0), examples: empty(() => []) }));
    item.counts[row.polarity] += row.n;
    item.total += row.n;
  }
  for (const row of examples) items.get(row.aspect)?.examples[row.polarity]?.push({ rowNumber: row.rowNumber, text: row.text, confidence: row.confidence, label: row.label });
  return [...items.values()].sort((a, b) => b.total - a.total || a.aspect.localeCompare(b.aspect));
}

/** Computes and keeps an ended batch's aspect summary (for one that ended other than by completing, or before it was stored). */
export async function storeAspectSummary(prisma: PrismaClient, batchId: string): Promise<AspectSummaryItem[]> {
  const summary = await aspectSummary(prisma, batchId);
  await prisma.batch.update({ where: { id: batchId }, data: { aspectSummary: summary } });
  return summary;
}

/**
 * The aspect columns of a batch's export: every aspect of its domain when one was chosen (stable columns for
 * the same domain), or the aspects found in it with `auto` (rows may come from several domains).
 */
export async function aspectColumns(prisma: PrismaClient, batch: { id: string; aspectDomain: string }, model: AspectModel | null): Promise<string[]> {
  const domain = batch.aspectDomain !== AUTO_DOMAIN ? model?.domains.find((d) => d.id === batch.aspectDomain) : undefined;
  if (domain) return domain.aspects.map((a) => a.id);
  const found = await prisma.$queryRaw<{ aspect: string }[]>`
    SELECT DISTINCT a->>'aspect' AS aspect FROM "predictions" p, jsonb_array_elements(p."aspects") a
    WHERE p."batch_id" = ${batch.id} AND p."aspects" IS NOT NULL ORDER BY 1`;
  return found.map((f) => f.aspect);
}

/** `aspect_<id in lower case>` for each aspect column. */
export function aspectHeader(columns: string[]): string[] {
  return columns.map((c) => `aspect_${c.toLowerCase()}`);
}

/** A row's cells for the aspect columns: the polarity, or empty when the row does not speak of it. */
export function aspectCells(aspects: unknown, columns: string[]): string[] {
  const found = new Map((Array.isArray(aspects) ? (aspects as StoredAspect[]) : []).map((a) => [a.aspect, a.polarity]));
  return columns.map((c) => found.get(c) ?? "");
}

/** The same as an object for the JSON export. */
export function aspectObject(aspects: unknown, columns: string[]): Record<string, string | null> {
  const cells = aspectCells(aspects, columns);
  return Object.fromEntries(aspectHeader(columns).map((h, i) => [h, cells[i] || null]));
}
