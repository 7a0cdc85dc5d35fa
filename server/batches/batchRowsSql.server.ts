// A batch's rows and predictions move in thousands: one INSERT ... SELECT FROM unnest(arrays) per chunk
// instead of Prisma's createMany, whose per-value parameters and query building cost more than the database
// work itself (measured: docs/batch.md). Column names are the migrations' (prisma/schema.prisma @map).
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "../db/generated/client.ts";
import type { Analysis } from "../predictions/analysis.server.ts";

type Sql = Pick<PrismaClient, "$executeRaw" | "$queryRaw"> | Prisma.TransactionClient;

export type StoredRow = { position: number; rowNumber: number; text: string; cells: string[] };

export async function insertBatchRows(db: Sql, batchId: string, rows: StoredRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.$executeRaw`
    INSERT INTO "batch_rows" ("batch_id", "position", "row_number", "text", "cells")
    SELECT ${batchId}, r.position, r.row_number, r.text, r.cells
    FROM unnest(${rows.map((r) => r.position)}::int[], ${rows.map((r) => r.rowNumber)}::int[], ${rows.map((r) => r.text)}::text[],
                ${rows.map((r) => JSON.stringify(r.cells))}::jsonb[]) AS r(position, row_number, text, cells)`;
}

/** The rows at positions [start, end), in order. */
export async function readBatchRows(db: Sql, batchId: string, start: number, end: number): Promise<{ rowNumber: number; text: string }[]> {
  return db.$queryRaw<{ rowNumber: number; text: string }[]>`
    SELECT "row_number" AS "rowNumber", "text" FROM "batch_rows"
    WHERE "batch_id" = ${batchId} AND "position" >= ${start} AND "position" < ${end}
    ORDER BY "position"`;
}

export type BatchPrediction = Analysis & {
  rowNumber: number;
  text: string;
  searchText: string;
  /** The aspect model's answer (server/batches/batchAspects.server.ts); null without one. */
  aspects: { aspects: object[]; domain: string } | null;
};

export async function insertBatchPredictions(db: Sql, owner: { userId: string; batchId: string }, rows: BatchPrediction[], createdAt: Date): Promise<void> {
  if (rows.length === 0) return;
  await db.$executeRaw`
    INSERT INTO "predictions" ("id", "user_id", "batch_id", "row_number", "text", "search_text", "label", "confidence", "probabilities",
                               "token_count", "windowed", "model_id", "model_version", "model_kind", "language", "not_vietnamese", "aspects", "aspect_domain", "source", "created_at")
    SELECT r.id, ${owner.userId}, ${owner.batchId}, r.row_number, r.text, r.search_text, r.label, r.confidence, r.probabilities,
           r.token_count, r.windowed, r.model_id, r.model_version, r.model_kind, r.language, r.not_vietnamese, r.aspects, r.aspect_domain, 'batch'::"PredictionSource", ${createdAt}
    FROM unnest(${rows.map(() => randomUUID())}::text[], ${rows.map((r) => r.rowNumber)}::int[], ${rows.map((r) => r.text)}::text[],
                ${rows.map((r) => r.searchText)}::text[], ${rows.map((r) => r.label)}::text[], ${rows.map((r) => r.confidence)}::float8[],
                ${rows.map((r) => JSON.stringify(r.probabilities))}::jsonb[], ${rows.map((r) => r.tokenCount)}::int[],
                ${rows.map((r) => r.windowed)}::boolean[], ${rows.map((r) => r.modelId)}::text[], ${rows.map((r) => r.modelVersion)}::text[],
                ${rows.map((r) => r.modelKind)}::text[], ${rows.map((r) => r.language)}::text[], ${rows.map((r) => r.notVietnamese)}::boolean[],
                ${rows.map((r) => (r.aspects ? JSON.stringify(r.aspects.aspects) : null))}::jsonb[], ${rows.map((r) => r.aspects?.domain ?? null)}::text[])
      AS r(id, row_number, text, search_text, label, confidence, probabilities, token_count, windowed, model_id, model_version, model_kind, language, not_vietnamese, aspects, aspect_domain)`;
}

/**
 * Refreshes the planner's statistics of the batch tables. The embedded database has no autovacuum: without
 * this, a table that grew by a batch is still planned as nearly empty, and paged reads (exports) scan all of
 * a batch per page. Run when a batch completes; on PostgreSQL it only does sooner what autovacuum would.
 */
export async function analyzeBatchTables(db: Sql): Promise<void> {
  await db.$executeRaw`ANALYZE "predictions", "batch_rows"`;
}
