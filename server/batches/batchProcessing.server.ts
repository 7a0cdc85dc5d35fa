// Processing one chunk of a batch, and finishing the batch when its last chunk is stored. Called by the
// queue's worker (batchQueue.server.ts); safe to call twice for the same chunk: the second call stores nothing.
import type { PrismaClient } from "../db/generated/client.ts";
import { AUTO_DOMAIN, type AspectModel } from "../inference/aspectModel.server.ts";
import type { Classifier } from "../inference/classifier.server.ts";
import { analyseTexts, type ModelKind } from "../predictions/analysis.server.ts";
import type { TermCounter, TermCount } from "../insights/termCounter.server.ts";
import { searchKey } from "../text/searchFold.ts";
import { hostname } from "node:os";
import { aspectSummary } from "./batchAspects.server.ts";
import { statusesBefore } from "./batchStore.server.ts";
import { analyzeBatchTables, insertBatchPredictions, readBatchRows } from "./batchRowsSql.server.ts";

const INSTANCE = `${hostname()}:${process.pid}`;

export type ChunkJob = { batchId: string; index: number };

export type ProcessingDeps = {
  prisma: PrismaClient;
  classifier: Pick<Classifier, "classify">;
  /** The model for batches uploaded with model "accurate"; null when this instance has none. */
  accurateClassifier?: Pick<Classifier, "classify"> | null;
  /** LANGUAGE_CHECK_MIN_WORDS (the language check's short-text rule). */
  languageMinWords: number;
  /** Called with the labels of the rows stored and the model that answered (metrics). */
  onPredictions?: (labels: string[], kind: ModelKind) => void;
  /** Null when the server runs without the aspect model: rows are stored without aspects. */
  aspects?: Pick<AspectModel, "analyseAspects" | "acceptsDomain"> | null;
  terms: TermCounter;
  wordCloudTerms: number;
  wordCloudMaxTexts: number;
  /** Called with the number of rows stored (metrics). */
  onRowsStored?: (rows: number) => void;
};

/** Returns "skipped" when the batch is gone, stopped or the chunk was already stored, "stored" otherwise. */
export async function processChunk(deps: ProcessingDeps, job: ChunkJob, signal?: AbortSignal): Promise<"stored" | "skipped"> {
  const { prisma } = deps;
  const batch = await prisma.batch.findUnique({ where: { id: job.batchId }, select: { status: true, chunkSize: true, userId: true, modelKind: true, aspectDomain: true } });
  // its jobs are sent just before it moves to queued: come back in a second (pg-boss retries a throw)
  if (batch?.status === "uploading") throw new Error(`batch ${job.batchId} is still being stored`);
  if (!batch || (batch.status !== "queued" && batch.status !== "running")) return "skipped";
  const chunk = await prisma.batchChunk.findUnique({ where: { batchId_index: { batchId: job.batchId, index: job.index } }, select: { done: true } });
  if (!chunk) return "skipped";
  let outcome: "stored" | "skipped" = "skipped";
  if (!chunk.done) {
    await prisma.batch.updateMany({ where: { id: job.batchId, status: "queued" }, data: { status: "running", startedAt: new Date() } });
    const start = job.index * batch.chunkSize;
    const rows = await readBatchRows(prisma, job.batchId, start, start + batch.chunkSize);
    // the background lane: single predictions go first, and the chunk is sorted by length as a whole
    const kind = batch.modelKind as ModelKind;
    const classifier = kind === "accurate" ? deps.accurateClassifier : deps.classifier;
    if (!classifier) {
      // another instance may have it: the chunk is retried (the queue fails the batch after its last try)
      throw new Error("the accurate model this batch asked for is not loaded on the server that took this part of it");
    }
    const texts = rows.map((r) => r.text);
    // a domain the (since replaced) aspect model no longer has falls back to auto rather than failing the batch
    const domain = deps.aspects?.acceptsDomain(batch.aspectDomain) ? batch.aspectDomain : AUTO_DOMAIN;
    const [results, aspects] = await Promise.all([
      analyseTexts(classifier, kind, texts, deps.languageMinWords, "background"),
      deps.aspects ? deps.aspects.analyseAspects(texts, { domain, lane: "background" }) : null,
    ]);
    signal?.throwIfAborted();
    const predictions = rows.map((row, i) => ({ ...results[i]!, rowNumber: row.rowNumber, text: row.text, searchText: searchKey(row.text), aspects: aspects?.[i] ?? null }));
    outcome = await prisma
      .$transaction(
        async (tx) => {
          // The done mark is the guard: a retried or duplicated job finds it set and stores nothing.
          const marked = await tx.batchChunk.updateMany({ where: { batchId: job.batchId, index: job.index, done: false }, data: { done: true, doneAt: new Date(), doneBy: INSTANCE } });
          if (marked.count === 0) throw ALREADY_STORED;
          await insertBatchPredictions(tx, { userId: batch.userId, batchId: job.batchId }, predictions, new Date());
          // The batch row last (held locked only for the commit), and only while it is still active: a cancel that
          // came first rolls this chunk back, one that comes later waits for this commit; no rows after "cancelled".
          const live = await tx.batch.updateMany({
            where: { id: job.batchId, status: { in: ["queued", "running"] } },
            data: {
              processedRows: { increment: rows.length }, notVietnameseRows: { increment: results.filter((r) => r.notVietnamese).length },
              modelId: results[0]?.modelId, modelVersion: results[0]?.modelVersion,
            },
          });
          if (live.count === 0) throw NO_LONGER_ACTIVE;
          return "stored" as const;
        },
        { timeout: 60_000, maxWait: 30_000 },
      )
      .catch((error: unknown) => {
        if (error === ALREADY_STORED || error === NO_LONGER_ACTIVE) return "skipped" as const;
        throw error;
      });
    if (outcome === "stored") {
      deps.onRowsStored?.(rows.length);
      deps.onPredictions?.(results.map((r) => r.label), kind);
    }
  }
  await finishIfDone(deps, job.batchId);
  return outcome;
}

/** Thrown to roll back the row count when another job stored this chunk first. */
const ALREADY_STORED = new Error("chunk already stored");
/** Thrown to roll back a chunk whose batch was cancelled (or failed) while it was being classified. */
const NO_LONGER_ACTIVE = new Error("the batch is no longer active");

/**
 * When every chunk is stored: counts per label, average confidence and each label's word-cloud terms,
 * then status completed. Runs after every chunk (also a retried one), so a crash between the last chunk's
 * commit and this step is repaired by the retry.
 */
export async function finishIfDone(deps: ProcessingDeps, batchId: string): Promise<boolean> {
  const { prisma } = deps;
  const open = await prisma.batchChunk.count({ where: { batchId, done: false } });
  if (open > 0) return false;
  const batch = await prisma.batch.findUnique({ where: { id: batchId }, select: { status: true } });
  if (!batch || (batch.status !== "queued" && batch.status !== "running")) return false;
  const [groups, average] = await Promise.all([
    prisma.prediction.groupBy({ by: ["label"], where: { batchId }, _count: { _all: true } }),
    prisma.prediction.aggregate({ where: { batchId }, _avg: { confidence: true } }),
  ]);
  const labelCounts = Object.fromEntries(groups.map((g) => [g.label, g._count._all]));
  const textsByLabel: Record<string, string[]> = {};
  for (const label of Object.keys(labelCounts)) {
    const texts = await prisma.prediction.findMany({ where: { batchId, label }, orderBy: { rowNumber: "asc" }, take: deps.wordCloudMaxTexts, select: { text: true } });
    textsByLabel[label] = texts.map((t) => t.text);
  }
  const terms: Record<string, TermCount[]> = await deps.terms.distinctive(textsByLabel, deps.wordCloudTerms);
  // once, here: reading every row's aspects on each status poll stalled the embedded database under a large batch
  const aspects = await aspectSummary(prisma, batchId);
  const moved = await prisma.batch.updateMany({
    where: { id: batchId, status: { in: statusesBefore("completed") } },
    data: { status: "completed", finishedAt: new Date(), labelCounts, averageConfidence: average._avg.confidence, terms, aspectSummary: aspects },
  });
  // planner statistics only: the batch is complete whether or not this succeeds
  if (moved.count > 0) await analyzeBatchTables(prisma).catch(() => undefined);
  return moved.count > 0;
}

/** Marks a batch failed (a chunk failed on every retry); the rows stored so far stay. */
export async function failBatch(prisma: PrismaClient, batchId: string, message: string): Promise<void> {
  await prisma.batch.updateMany({ where: { id: batchId, status: { in: statusesBefore("failed") } }, data: { status: "failed", error: message, finishedAt: new Date() } });
}
