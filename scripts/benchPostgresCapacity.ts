// What one PostgreSQL sustains for our batch write pattern (npm run bench -- --postgres-capacity): simulated
// instances, each with its own connection pool and BATCH_WORKER_CONCURRENCY chunk workers, run the real chunk
// processing (server/batches/batchProcessing.server.ts: read the chunk's rows, then in one transaction mark it done,
// bulk-insert its predictions with batchRowsSql and count them on the batch) with the model's answers precomputed,
// so only the database work is timed (the last chunk's word clouds read 200 texts, not 5,000: that is Node work).
// The upload's row inserts (insertBatchRows) are timed too. No pg-boss: its job fetch and completion are two
// small statements per 500-row chunk.
// Database: --database-url, else BENCH_DATABASE_URL, else TEST_DATABASE_URL; a scratch database is created and dropped.
import { parseArgs } from "node:util";
import { openDatabase, type Database } from "../server/db/client.server.ts";
import { insertBatchRows, type StoredRow } from "../server/batches/batchRowsSql.server.ts";
import { processChunk } from "../server/batches/batchProcessing.server.ts";
import type { Classification } from "../server/inference/classifier.server.ts";
import { loadStopwords, TermCounter } from "../server/insights/termCounter.server.ts";
import { SEGMENTER_WORDS_PATH, STOPWORDS_PATH } from "../server/repoPaths.ts";
import { loadWordDictionary } from "../server/text/segment.ts";
import { createScratchDatabase } from "../tests/support/testServer.ts";
import { reviewTexts } from "../tests/support/batchFiles.ts";

export async function measurePostgresCapacity(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      "database-url": { type: "string" },
      instances: { type: "string", default: "1,2,4,8" },
      "workers-per-instance": { type: "string", default: "2" },
      "chunk-rows": { type: "string", default: "500" },
      "chunks-per-worker": { type: "string", default: "8" },
    },
  });
  const base = (values["database-url"] as string | undefined) ?? process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("give --database-url (or BENCH_DATABASE_URL / TEST_DATABASE_URL): a PostgreSQL server where a scratch database may be created");
  const levels = String(values.instances).split(",").map(Number);
  const workersPerInstance = Number(values["workers-per-instance"]);
  const chunkRows = Number(values["chunk-rows"]);
  const chunksPerWorker = Number(values["chunks-per-worker"]);
  const scratch = await createScratchDatabase(base);
  const databases: Database[] = [];
  try {
    const terms = new TermCounter(loadWordDictionary(SEGMENTER_WORDS_PATH), loadStopwords(STOPWORDS_PATH));
    const texts = reviewTexts(chunkRows);
    const canned: Classification[] = texts.map((text, i) => {
      const p = [0.1, 0.2, 0.7].map((x, j) => (j === i % 3 ? x + 0.5 : x) / 1.5);
      return { label: ["negative", "neutral", "positive"][i % 3]!, confidence: Math.max(...p), probabilities: { negative: p[0]!, neutral: p[1]!, positive: p[2]! }, tokenCount: Math.ceil(text.length / 5), windowed: false, modelId: "capacity", modelVersion: "0" };
    });
    const classifier = { classify: async (batch: string[]) => canned.slice(0, batch.length) };
    const results: Record<string, unknown>[] = [];
    for (const instances of levels) {
      while (databases.length < instances) databases.push(await openDatabase({ databaseUrl: scratch.url, dataDir: "/nonexistent", embeddedSharedBuffersMb: 16 }));
      const prisma = databases[0]!.prisma;
      const user = await prisma.user.create({ data: { id: crypto.randomUUID(), email: `capacity-${instances}-${Date.now()}@example.com`, passwordHash: "x" } });
      // one batch per worker, all of its rows stored first (timed: the upload's write)
      const writers = instances * workersPerInstance;
      const batches: string[] = [];
      const uploadStarted = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const db = databases[w % instances]!.prisma;
          const batch = await db.batch.create({ data: { userId: user.id, fileName: "capacity.csv", status: "uploading", chunkSize: chunkRows } });
          for (let c = 0; c < chunksPerWorker; c++) {
            const rows: StoredRow[] = texts.map((text, i) => ({ position: c * chunkRows + i, rowNumber: c * chunkRows + i + 1, text, cells: [String(i), text] }));
            await insertBatchRows(db, batch.id, rows);
          }
          await db.batchChunk.createMany({ data: Array.from({ length: chunksPerWorker }, (_, index) => ({ batchId: batch.id, index, rowCount: chunkRows })) });
          await db.batch.update({ where: { id: batch.id }, data: { status: "queued", totalRows: chunkRows * chunksPerWorker, chunkCount: chunksPerWorker } });
          batches[w] = batch.id;
        }),
      );
      const uploadSeconds = (performance.now() - uploadStarted) / 1000;
      const started = performance.now();
      await Promise.all(
        batches.map(async (batchId, w) => {
          const deps = { prisma: databases[w % instances]!.prisma, classifier, languageMinWords: 3, terms, wordCloudTerms: 60, wordCloudMaxTexts: 200 };
          for (let index = 0; index < chunksPerWorker; index++) await processChunk(deps, { batchId, index });
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const rows = writers * chunksPerWorker * chunkRows;
      const result = { instances, writers, rows, uploadRowsPerSecond: Math.round(rows / uploadSeconds), predictionRowsPerSecond: Math.round(rows / seconds) };
      results.push(result);
      console.error(JSON.stringify(result));
    }
    console.log(JSON.stringify({ chunkRows, workersPerInstance, note: "database work only: model answers precomputed", results }, null, 2));
  } finally {
    for (const db of databases) await db.close();
    await scratch.drop();
  }
}

if (process.argv[1]?.endsWith("benchPostgresCapacity.ts")) await measurePostgresCapacity(process.argv.slice(2));
