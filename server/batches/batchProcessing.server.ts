// Processing one chunk of a batch, and finishing the batch when its last chunk is stored. Called by the
// queue's worker (server/jobs); safe to call twice for the same chunk: the second call stores nothing.
import type { PrismaClient } from "../db/generated/client.ts";
import type { Classification, Classifier } from "../inference/classifier.server.ts";
import type { TermCounter, TermCount } from "../insights/termCounter.server.ts";
import { foldForSearch } from "../text/searchFold.ts";
import { hostname } from "node:os";
import { statusesBefore } from "./batchStore.server.ts";

const INSTANCE = `${hostname()}:${process.pid}`;

export type ChunkJob = { batchId: string; index: number };

export type ProcessingDeps = {
  prisma: PrismaClient;
  classifier: Pick<Classifier, "classify">;
  terms: TermCounter;
  /** Texts per classify() call, and the process-wide gate those calls pass. */
  inferenceSlice: number;
  gate: SliceGate;
  wordCloudTerms: number;
  wordCloudMaxTexts: number;
  /** Called with the number of rows stored (metrics). */
  onRowsStored?: (rows: number) => void;
};

/** Slices in flight at once in a process: the next one is tokenised while the model runs the current one. */
export const SLICES_IN_FLIGHT = 2;

/** A counting semaphore: every chunk of a process shares one, so interactive requests wait behind at most its size in slices. */
export class SliceGate {
  private free: number;
  private waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/**
 * Classifies texts a slice at a time through the process's gate, so a single prediction queued meanwhile
 * runs after at most SLICES_IN_FLIGHT slices, however many chunks are being worked on.
 */
export async function classifyInSlices(classifier: Pick<Classifier, "classify">, texts: string[], slice: number, gate: SliceGate, signal?: AbortSignal): Promise<Classification[]> {
  const slices: Promise<Classification[]>[] = [];
  for (let start = 0; start < texts.length; start += slice) {
    signal?.throwIfAborted();
    // keep this chunk from queueing more than the gate's size ahead of itself
    if (slices.length >= SLICES_IN_FLIGHT) await slices[slices.length - SLICES_IN_FLIGHT];
    const part = texts.slice(start, start + slice);
    const next = gate.run(() => classifier.classify(part));
    // awaited below; this only keeps an early exit (abort) from leaving an unhandled rejection behind
    next.catch(() => undefined);
    slices.push(next);
  }
  return (await Promise.all(slices)).flat();
}

/** Returns "skipped" when the batch is gone, stopped or the chunk was already stored, "stored" otherwise. */
export async function processChunk(deps: ProcessingDeps, job: ChunkJob, signal?: AbortSignal): Promise<"stored" | "skipped"> {
  const { prisma } = deps;
  const batch = await prisma.batch.findUnique({ where: { id: job.batchId }, select: { status: true, chunkSize: true, userId: true } });
  // its jobs are sent just before it moves to queued: come back in a second (pg-boss retries a throw)
  if (batch?.status === "uploading") throw new Error(`batch ${job.batchId} is still being stored`);
  if (!batch || (batch.status !== "queued" && batch.status !== "running")) return "skipped";
  const chunk = await prisma.batchChunk.findUnique({ where: { batchId_index: { batchId: job.batchId, index: job.index } }, select: { done: true } });
  if (!chunk) return "skipped";
  let outcome: "stored" | "skipped" = "skipped";
  if (!chunk.done) {
    await prisma.batch.updateMany({ where: { id: job.batchId, status: "queued" }, data: { status: "running", startedAt: new Date() } });
    const start = job.index * batch.chunkSize;
    const rows = await prisma.batchRow.findMany({
      where: { batchId: job.batchId, position: { gte: start, lt: start + batch.chunkSize } },
      orderBy: { position: "asc" },
      select: { rowNumber: true, text: true },
    });
    const results = await classifyInSlices(deps.classifier, rows.map((r) => r.text), deps.inferenceSlice, deps.gate, signal);
    outcome = await prisma.$transaction(
      async (tx) => {
        // The done mark is the guard: a retried or duplicated job finds it set and stores nothing.
        const marked = await tx.batchChunk.updateMany({ where: { batchId: job.batchId, index: job.index, done: false }, data: { done: true, doneAt: new Date(), doneBy: INSTANCE } });
        if (marked.count === 0) return "skipped" as const;
        const now = new Date();
        await tx.prediction.createMany({
          data: rows.map((row, i) => {
            const r = results[i]!;
            return {
              userId: batch.userId, batchId: job.batchId, rowNumber: row.rowNumber, text: row.text, searchText: foldForSearch(row.text),
              label: r.label, confidence: r.confidence, probabilities: r.probabilities, tokenCount: r.tokenCount, windowed: r.windowed,
              modelId: r.modelId, modelVersion: r.modelVersion, source: "batch" as const, createdAt: now,
            };
          }),
        });
        await tx.batch.update({
          where: { id: job.batchId },
          data: { processedRows: { increment: rows.length }, modelId: results[0]?.modelId, modelVersion: results[0]?.modelVersion },
        });
        return "stored" as const;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
    if (outcome === "stored") deps.onRowsStored?.(rows.length);
  }
  await finishIfDone(deps, job.batchId);
  return outcome;
}

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
  const terms: Record<string, TermCount[]> = {};
  for (const label of Object.keys(labelCounts)) {
    const texts = await prisma.prediction.findMany({ where: { batchId, label }, orderBy: { rowNumber: "asc" }, take: deps.wordCloudMaxTexts, select: { text: true } });
    terms[label] = await deps.terms.top(texts.map((t) => t.text), deps.wordCloudTerms);
  }
  const moved = await prisma.batch.updateMany({
    where: { id: batchId, status: { in: statusesBefore("completed") } },
    data: { status: "completed", finishedAt: new Date(), labelCounts, averageConfidence: average._avg.confidence, terms },
  });
  return moved.count > 0;
}

/** Marks a batch failed (a chunk failed on every retry); the rows stored so far stay. */
export async function failBatch(prisma: PrismaClient, batchId: string, message: string): Promise<void> {
  await prisma.batch.updateMany({ where: { id: batchId, status: { in: statusesBefore("failed") } }, data: { status: "failed", error: message, finishedAt: new Date() } });
}
