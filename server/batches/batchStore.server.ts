// Batches in the database: stored uploads (rows and chunks), the status machine, owner-checked reads,
// result pages, cancel and delete. The queue (batchQueue.server.ts) works on what this module stores.
import type { ModelKind } from "../predictions/analysis.server.ts";
import type { Prisma, PrismaClient } from "../db/generated/client.ts";
import { AppError } from "../errors.ts";
import { escapeLike } from "../predictions/predictionHistory.server.ts";
import { searchTerms } from "../text/searchFold.ts";
import type { CsvItem, CsvFormat, SkippedRow } from "./csvUploadReader.server.ts";
import { insertBatchRows, type StoredRow } from "./batchRowsSql.server.ts";
import { aspectWhere, type Polarity, type StoredAspect } from "./batchAspects.server.ts";

export type BatchStatus = "uploading" | "queued" | "running" | "completed" | "failed" | "cancelled";
export const ACTIVE_STATUSES: BatchStatus[] = ["uploading", "queued", "running"];
/** Skipped rows kept with their reasons (the count covers all of them). */
export const SKIPPED_DETAILS_KEPT = 1_000;

/** Which status may follow which; anything else is refused (tests/unit/batchStatus.test.ts). */
const TRANSITIONS: Record<BatchStatus, BatchStatus[]> = {
  uploading: ["queued", "failed", "cancelled"],
  queued: ["running", "completed", "failed", "cancelled"],
  running: ["completed", "failed", "cancelled"],
  completed: [],
  failed: [],
  cancelled: [],
};

export function canMove(from: BatchStatus, to: BatchStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` may be reached: used as the WHERE of a conditional update, so two instances cannot both move a batch. */
export function statusesBefore(to: BatchStatus): BatchStatus[] {
  return (Object.keys(TRANSITIONS) as BatchStatus[]).filter((from) => canMove(from, to));
}

/** Chunk k holds the stored rows at positions [k*size, (k+1)*size). */
export function chunkRanges(totalRows: number, chunkSize: number): { index: number; start: number; rowCount: number }[] {
  const ranges = [];
  for (let index = 0, start = 0; start < totalRows; index++, start += chunkSize) {
    ranges.push({ index, start, rowCount: Math.min(chunkSize, totalRows - start) });
  }
  return ranges;
}

/** A skipped row as stored with the batch: the reader's reasons, and NUL characters found here. */
type StoredSkip = Omit<SkippedRow, "reason"> & { reason: SkippedRow["reason"] | "nulCharacter" };

/** PostgreSQL cannot store U+0000 in text (22021): such a row is reported like any other unusable row. */
function nulCharacterSkip(rowNumber: number, cells: string[]): StoredSkip | null {
  const column = cells.findIndex((c) => c.includes("\u0000"));
  if (column < 0) return null;
  return { row: rowNumber, reason: "nulCharacter", message: `row ${rowNumber}: column ${column + 1} contains the NUL character (U+0000), which cannot be stored` };
}

export type BatchLimits = { maxActivePerUser: number; maxActiveTotal: number; chunkRows: number };

export type StoredUpload = { id: string; totalRows: number; skippedRows: number; chunkCount: number };

const notFound = () => new AppError("NOT_FOUND", "batch.notFound", "No such batch (it may have been deleted)");

// An arbitrary constant naming the batch-admission lock in pg_advisory_xact_lock's key space.
const ADMISSION_LOCK_KEY = 2_025_250_005;

/** Refuses a new batch while the user (or the whole server) already runs as many as allowed. */
async function checkActiveLimits(prisma: Prisma.TransactionClient, userId: string, limits: BatchLimits): Promise<void> {
  const mine = await prisma.batch.count({ where: { userId, status: { in: ACTIVE_STATUSES } } });
  const all = await prisma.batch.count({ where: { status: { in: ACTIVE_STATUSES } } });
  if (mine >= limits.maxActivePerUser) {
    throw new AppError("TOO_MANY_REQUESTS", "batch.tooManyActive", `You already have ${mine} batches in progress (the limit is ${limits.maxActivePerUser}); wait for one to finish or cancel it`, undefined, 30);
  }
  if (all >= limits.maxActiveTotal) {
    throw new AppError("TOO_MANY_REQUESTS", "batch.serverBusy", `The server is already running ${all} batches (the limit is ${limits.maxActiveTotal}); try again in a few minutes`, undefined, 60);
  }
}

/**
 * Stores an upload: the batch (status uploading), its rows in chunk-sized inserts as they stream in, then
 * the chunk list; queues the chunks' jobs and moves it to queued. Any error deletes what was stored, so nothing half-stored stays.
 */
export async function storeUpload(
  prisma: PrismaClient,
  input: {
    userId: string; fileName: string; columns: string[]; textColumnIndex: number; format: CsvFormat | null; items: AsyncIterable<CsvItem>;
    modelKind: ModelKind; aspectDomain?: string;
    /** Settles once the whole request has been read: a rejection (a later part refused, the connection lost) stores nothing. */
    approval?: Promise<void>;
  },
  limits: BatchLimits,
  enqueue: (batchId: string, chunkCount: number) => Promise<void>,
): Promise<StoredUpload> {
  // Count and create under one lock, so parallel requests (ten batch.create calls in one tRPC batch) cannot
  // all pass the count before any of them is created.
  const batch = await prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ADMISSION_LOCK_KEY})`);
    await checkActiveLimits(tx, input.userId, limits);
    return tx.batch.create({
      data: {
        userId: input.userId,
        fileName: input.fileName,
        textColumn: input.columns[input.textColumnIndex]!,
        columns: input.columns,
        fileFormat: input.format ?? {},
        status: "uploading",
        chunkSize: limits.chunkRows,
        modelKind: input.modelKind,
        ...(input.aspectDomain ? { aspectDomain: input.aspectDomain } : {}),
      },
      select: { id: true },
    });
  });
  try {
    let position = 0;
    const skipped: StoredSkip[] = [];
    let skippedRows = 0;
    let pending: StoredRow[] = [];
    const flush = async () => {
      await insertBatchRows(prisma, batch.id, pending);
      pending = [];
    };
    for await (const item of input.items) {
      const refused: StoredSkip | null = item.kind === "skipped" ? item : nulCharacterSkip(item.rowNumber, item.cells);
      if (refused || item.kind === "skipped") {
        skippedRows++;
        if (refused && skipped.length < SKIPPED_DETAILS_KEPT) skipped.push({ row: refused.row, reason: refused.reason, message: refused.message, ...(refused.offset === undefined ? {} : { offset: refused.offset }) });
        continue;
      }
      pending.push({ position: position++, rowNumber: item.rowNumber, text: item.cells[input.textColumnIndex]!, cells: item.cells });
      if (pending.length >= limits.chunkRows) await flush();
    }
    await flush();
    if (position === 0) {
      throw new AppError("BAD_REQUEST", "batch.noUsableRows", `No row of the file can be analysed: all ${skippedRows} rows were skipped (${skipped[0]?.message ?? "no rows"})`, "file");
    }
    await input.approval;
    const chunks = chunkRanges(position, limits.chunkRows);
    await prisma.batchChunk.createMany({ data: chunks.map((c) => ({ batchId: batch.id, index: c.index, rowCount: c.rowCount })) });
    // Jobs first, then "queued": a crash in between leaves an "uploading" batch, deleted at the next start
    // (its jobs then find nothing), never a queued batch without jobs.
    await enqueue(batch.id, chunks.length);
    const moved = await prisma.batch.updateMany({
      where: { id: batch.id, status: { in: statusesBefore("queued") } },
      data: { status: "queued", totalRows: position, skippedRows, skipped, chunkCount: chunks.length },
    });
    if (moved.count === 0) throw notFound();
    return { id: batch.id, totalRows: position, skippedRows, chunkCount: chunks.length };
  } catch (error) {
    await deleteUntilGone(prisma, batch.id);
    throw error;
  }
}

/**
 * Deletes a batch that failed to store; while the database cannot be reached (the reason it failed, often)
 * it tries again in the background, so no half-stored batch is left counting against the active limits.
 */
async function deleteUntilGone(prisma: PrismaClient, batchId: string, delayMs = 1_000, triesLeft = 40): Promise<void> {
  try {
    await prisma.batch.deleteMany({ where: { id: batchId } });
  } catch {
    // about 20 minutes of tries; after that the abandoned-upload sweep removes it (BATCH_ABANDONED_UPLOAD_MINUTES on
    // PostgreSQL, the next start on the embedded database)
    if (triesLeft <= 1) return;
    const timer = setTimeout(() => void deleteUntilGone(prisma, batchId, Math.min(delayMs * 2, 30_000), triesLeft - 1), delayMs);
    timer.unref();
  }
}

/** Uploads cut off by a crash (still "uploading" from before `startedBefore`) are deleted with their rows. */
export async function deleteAbandonedUploads(prisma: PrismaClient, startedBefore: Date): Promise<number> {
  return (await prisma.batch.deleteMany({ where: { status: "uploading", createdAt: { lt: startedBefore } } })).count;
}

const SUMMARY_SELECT = {
  id: true, fileName: true, textColumn: true, columns: true, fileFormat: true, status: true, totalRows: true, processedRows: true,
  skippedRows: true, skipped: true, chunkCount: true, labelCounts: true, averageConfidence: true, terms: true, modelId: true,
  modelVersion: true, modelKind: true, error: true, createdAt: true, startedAt: true, finishedAt: true, aspectDomain: true, aspectSummary: true, notVietnameseRows: true,
} as const;

export type BatchSummary = Prisma.BatchGetPayload<{ select: typeof SUMMARY_SELECT }>;

/** The user's own batch; another user's batch is "not found", never "forbidden", so ids reveal nothing. */
export async function getBatch(prisma: PrismaClient, userId: string, id: string): Promise<BatchSummary> {
  const batch = await prisma.batch.findFirst({ where: { id, userId }, select: SUMMARY_SELECT });
  if (!batch) throw notFound();
  return batch;
}

export async function listBatches(prisma: PrismaClient, userId: string, limit: number) {
  return prisma.batch.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, fileName: true, status: true, totalRows: true, processedRows: true, skippedRows: true, labelCounts: true, createdAt: true, finishedAt: true },
  });
}

/** Stops a batch: chunks not yet stored are not processed; what was finished stays. */
export async function cancelBatch(prisma: PrismaClient, userId: string, id: string): Promise<BatchStatus> {
  const batch = await getBatch(prisma, userId, id);
  const moved = await prisma.batch.updateMany({ where: { id, userId, status: { in: statusesBefore("cancelled") } }, data: { status: "cancelled", finishedAt: new Date() } });
  if (moved.count === 0) {
    throw new AppError("CONFLICT", "batch.notCancellable", `The batch is already ${batch.status}: it cannot be cancelled`);
  }
  return "cancelled";
}

/** Deletes the batch with its stored rows and results. */
export async function deleteBatch(prisma: PrismaClient, userId: string, id: string): Promise<void> {
  const deleted = await prisma.batch.deleteMany({ where: { id, userId } });
  if (deleted.count === 0) throw notFound();
}

export type ResultsQuery = {
  label: string | null;
  /** Only rows that speak of this aspect (with this polarity when given). */
  aspect?: string | null;
  polarity?: Polarity | null;
  search: string;
  /** "row": file order; "confidence" / "-confidence": least / most sure first. */
  sort: "row" | "confidence" | "-confidence";
  page: number;
  pageSize: number;
};

export function resultsWhere(batchId: string, query: Pick<ResultsQuery, "label" | "search" | "aspect" | "polarity">): Prisma.PredictionWhereInput {
  const terms = searchTerms(query.search);
  return {
    batchId,
    ...aspectWhere(query.aspect ?? null, query.polarity ?? null),
    ...(query.label ? { label: query.label } : {}),
    ...(terms.length ? { AND: terms.map((t) => ({ searchText: { contains: escapeLike(t) } })) } : {}),
  };
}

export function resultsOrder(sort: ResultsQuery["sort"]): Prisma.PredictionOrderByWithRelationInput[] {
  if (sort === "confidence") return [{ confidence: "asc" }, { rowNumber: "asc" }];
  if (sort === "-confidence") return [{ confidence: "desc" }, { rowNumber: "asc" }];
  return [{ rowNumber: "asc" }];
}

/** One page of a batch's results, filtered, with the match count. */
export async function resultsPage(prisma: PrismaClient, userId: string, batchId: string, query: ResultsQuery) {
  await getBatch(prisma, userId, batchId);
  const where = resultsWhere(batchId, query);
  const [total, rows] = await Promise.all([
    prisma.prediction.count({ where }),
    prisma.prediction.findMany({
      where,
      orderBy: resultsOrder(query.sort),
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
      select: { rowNumber: true, text: true, label: true, confidence: true, probabilities: true, language: true, notVietnamese: true, aspects: true },
    }),
  ]);
  return {
    total, page: query.page, pageSize: query.pageSize,
    rows: rows.map((r) => ({ ...r, rowNumber: r.rowNumber ?? 0, probabilities: r.probabilities as Record<string, number>, aspects: (r.aspects as StoredAspect[] | null) ?? [] })),
  };
}

