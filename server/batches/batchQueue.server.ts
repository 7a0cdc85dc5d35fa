// The batch queue on pg-boss: one job per chunk of a batch's rows, so instances sharing one PostgreSQL
// share a file's work, and a chunk of a killed instance comes back (missed heartbeat) to another one.
// On the embedded database pg-boss runs in-process on the same PGlite instance.
import { PgBoss, fromPglite } from "pg-boss";
import type { Config } from "../config.server.ts";
import type { Database } from "../db/client.server.ts";
import { deleteAbandonedUploads } from "./batchStore.server.ts";
import { failBatch, finishIfDone, processChunk, type ChunkJob, type ProcessingDeps } from "./batchProcessing.server.ts";

export const CHUNK_QUEUE = "batch-chunk";
/** A chunk that fails this many retries fails its batch. */
const RETRY_LIMIT = 5;

/** What the queue reports: errors (the app tells database outages from the rest) and stored rows (for /metrics). */
export type BatchQueueEvents = { error(error: unknown): void; rowsStored?(rows: number): void };

export class BatchQueue {
  private boss: PgBoss | null = null;
  private working = false;
  private abandonedSweep: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly deps: () => ProcessingDeps | null,
    private readonly events: BatchQueueEvents,
  ) {}

  /** Connects (creating pg-boss's schema on first use); with `work`, this instance also processes chunks. */
  async start(options: { work: boolean }): Promise<void> {
    const { config } = this;
    const connection = this.db.queueConnection;
    // the queue's cached counts (which the burst below reads) refresh as often as supervision runs, not every minute
    const common = {
      superviseIntervalSeconds: config.BATCH_SUPERVISE_SECONDS, monitorIntervalSeconds: config.BATCH_SUPERVISE_SECONDS,
      queueCacheIntervalSeconds: config.BATCH_SUPERVISE_SECONDS, schedule: false,
    };
    const boss = "pglite" in connection
      ? new PgBoss({ db: fromPglite(connection.pglite), backend: "pglite", ...common })
      : new PgBoss({ connectionString: connection.url, max: 4, ...common });
    boss.on("error", (error) => this.events.error(error));
    await boss.start();
    const queueOptions = { expireInSeconds: config.BATCH_CHUNK_EXPIRE_SECONDS, heartbeatSeconds: config.BATCH_CHUNK_HEARTBEAT_SECONDS, retryLimit: RETRY_LIMIT, retryDelay: 1 };
    // the settings of this start, also for a queue an earlier start created (they were kept from the first start)
    if (!(await boss.getQueue(CHUNK_QUEUE))) await boss.createQueue(CHUNK_QUEUE, queueOptions);
    else await boss.updateQueue(CHUNK_QUEUE, queueOptions);
    this.boss = boss;
    // The embedded database has one process, so any upload still "uploading" died with the last one; on a
    // shared PostgreSQL another instance may be receiving one right now, so only old ones go, and they are
    // looked for all along: an instance killed mid-upload may never start again, and its batch would count
    // against its owner's active batches for ever.
    const abandonedMs = config.BATCH_ABANDONED_UPLOAD_MINUTES * 60_000;
    await deleteAbandonedUploads(this.db.prisma, "pglite" in connection ? new Date() : new Date(Date.now() - abandonedMs));
    if (!("pglite" in connection)) {
      const sweep = () => void deleteAbandonedUploads(this.db.prisma, new Date(Date.now() - abandonedMs)).catch((error: unknown) => this.events.error(error));
      this.abandonedSweep = setInterval(sweep, Math.min(60_000, abandonedMs / 4));
      this.abandonedSweep.unref();
    }
    if (options.work && this.deps()) {
      await this.repairFinished();
      await this.work(boss);
    }
  }

  private async work(boss: PgBoss): Promise<void> {
    this.working = true;
    await boss.work<ChunkJob>(
      CHUNK_QUEUE,
      // Without the burst, a worker whose chunk took under 0.4 s waited out the rest of the 0.5 s poll before its next
      // one: small chunks, or a fast machine, ran at most two chunks per second per worker (docs/batch.md).
      { localConcurrency: this.config.BATCH_WORKER_CONCURRENCY, batchSize: 1, pollingIntervalSeconds: 0.5, burstWhenReadyExceeds: 1 },
      async ([job]) => {
        const deps = this.deps();
        if (!job) return;
        // the worker starts only with a model (deps), so this cannot happen; throwing keeps the chunk for a retry
        if (!deps) throw new Error("no model to process batch chunks on this instance");
        try {
          await processChunk({ ...deps, onRowsStored: (rows) => this.events.rowsStored?.(rows) }, job.data, job.signal);
        } catch (error) {
          if (job.retryCount >= RETRY_LIMIT) {
            await failBatch(deps.prisma, job.data.batchId, `chunk ${job.data.index + 1} failed ${RETRY_LIMIT + 1} times: ${(error as Error).message}`);
            return;
          }
          throw error;
        }
      },
    );
  }

  /** Queues every chunk of a stored batch. */
  async enqueue(batchId: string, chunkCount: number): Promise<void> {
    if (!this.boss) throw new Error("the batch queue is not started");
    const jobs = Array.from({ length: chunkCount }, (_, index) => ({ data: { batchId, index } satisfies ChunkJob }));
    await this.boss.insert(CHUNK_QUEUE, jobs);
  }

  /** Chunks waiting or running, over all instances (for /metrics and the bench). */
  async depth(): Promise<{ queued: number; active: number }> {
    if (!this.boss) return { queued: 0, active: 0 };
    const queue = await this.boss.getQueue(CHUNK_QUEUE);
    return { queued: queue?.queuedCount ?? 0, active: queue?.activeCount ?? 0 };
  }

  /** Re-checks batches whose chunks were all stored but which were not finished (a crash in between). */
  async repairFinished(): Promise<void> {
    const deps = this.deps();
    if (!deps) return;
    const running = await deps.prisma.batch.findMany({ where: { status: { in: ["queued", "running"] } }, select: { id: true } });
    for (const { id } of running) await finishIfDone(deps, id);
  }

  /** Lets running chunks finish (up to `timeoutMs`), then disconnects; an unfinished chunk is retried elsewhere or after restart. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.abandonedSweep) clearInterval(this.abandonedSweep);
    this.abandonedSweep = null;
    const boss = this.boss;
    this.boss = null;
    if (!boss) return;
    await boss.stop({ graceful: this.working, timeout: timeoutMs, close: true });
  }
}
