// A user's own predictions: stored as they are made, listed newest first with search and a label filter,
// deleted one by one. Batch rows belong to their batch and are not part of this history.
import { z } from "zod/v4";
import type { Prisma, PrismaClient } from "../db/generated/client.ts";
import { AppError } from "../errors.ts";
import type { AspectAnalysis } from "../inference/aspectModel.server.ts";
import type { Classification } from "../inference/classifier.server.ts";
import type { Analysis, ModelKind } from "./analysis.server.ts";
import { foldForSearch, searchKey, searchTerms } from "../text/searchFold.ts";

export async function savePredictions(
  prisma: PrismaClient,
  userId: string,
  items: { text: string; result: Analysis; aspects?: AspectAnalysis | null }[],
): Promise<string[]> {
  // The texts of one request are stored a millisecond apart in their given order, so the history (newest
  // first) lists them in a stable order rather than by their random ids.
  const now = Date.now();
  const rows = items.map(({ text, result, aspects }, i) => ({
    id: crypto.randomUUID(),
    createdAt: new Date(now + i),
    userId,
    text,
    searchText: searchKey(text),
    label: result.label,
    confidence: result.confidence,
    probabilities: result.probabilities,
    tokenCount: result.tokenCount,
    windowed: result.windowed,
    modelId: result.modelId,
    modelVersion: result.modelVersion,
    modelKind: result.modelKind,
    language: result.language,
    notVietnamese: result.notVietnamese,
    ...(aspects ? { aspects: aspects.aspects, aspectDomain: aspects.domain } : {}),
    source: "single" as const,
  }));
  await prisma.prediction.createMany({ data: rows });
  return rows.map((r) => r.id);
}

export type HistoryQuery = {
  /** Words that must all occur in the text, compared without accents or case. */
  search: string;
  label: string | null;
  /** From a previous page's nextCursor: continue after that row. */
  cursor: string | null;
  limit: number;
  /** Count matches per label too (one more query over every match: the page needs it, an export does not). */
  withCounts: boolean;
};

/** A stored prediction: what the classifier said, with the text, its id and when (ISO 8601). */
export type HistoryItem = Classification & { id: string; text: string; createdAt: string; modelKind: ModelKind; language: string | null; notVietnamese: boolean };

export type HistoryPage = {
  items: HistoryItem[];
  /** Null on the last page. */
  nextCursor: string | null;
  /** Matching predictions per label, counted before the label filter (for the filter's choices); null when not asked for. */
  labelCounts: Record<string, number> | null;
};

// Keyset pagination on (createdAt, id), newest first: stable while new predictions arrive.
const CursorSchema = z.object({ createdAt: z.string().datetime(), id: z.string().uuid() });

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ createdAt: row.createdAt.toISOString(), id: row.id })).toString("base64url");
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const parsed = CursorSchema.safeParse(parseJsonOrNull(Buffer.from(cursor, "base64url").toString("utf8")));
  if (!parsed.success) {
    throw new AppError("BAD_REQUEST", "history.badCursor", "cursor is not one this server gave out: start again from the first page", "cursor");
  }
  return { createdAt: new Date(parsed.data.createdAt), id: parsed.data.id };
}

/** Prisma's `contains` is SQL LIKE and does not escape its pattern characters. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, "\\$&");
}

export async function listHistory(prisma: PrismaClient, userId: string, query: HistoryQuery): Promise<HistoryPage> {
  const matching: Prisma.PredictionWhereInput = {
    userId,
    source: "single",
    AND: searchTerms(query.search).map((term) => ({ searchText: { contains: escapeLike(term) } })),
  };
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const where: Prisma.PredictionWhereInput = {
    ...matching,
    ...(query.label ? { label: query.label } : {}),
    ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
  };
  const [rows, counts] = await Promise.all([
    prisma.prediction.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: query.limit + 1,
      select: {
        id: true, text: true, label: true, confidence: true, probabilities: true, tokenCount: true,
        windowed: true, modelId: true, modelVersion: true, modelKind: true, language: true, notVietnamese: true, createdAt: true,
      },
    }),
    query.withCounts ? prisma.prediction.groupBy({ by: ["label"], where: matching, _count: { _all: true } }) : null,
  ]);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((row) => ({ ...row, modelKind: row.modelKind as ModelKind, probabilities: row.probabilities as Record<string, number>, createdAt: row.createdAt.toISOString() })),
    nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!) : null,
    labelCounts: counts && Object.fromEntries(counts.map((c) => [c.label, c._count._all])),
  };
}

export async function deletePrediction(prisma: PrismaClient, userId: string, id: string): Promise<void> {
  const { count } = await prisma.prediction.deleteMany({ where: { id, userId, source: "single" } });
  if (count === 0) throw new AppError("NOT_FOUND", "history.notFound", "No such prediction in your history (it may have been deleted already)", "id");
}
