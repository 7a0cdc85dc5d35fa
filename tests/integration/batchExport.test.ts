// Issue 25 item 1: exporting a large batch streams keyset pages that give the event loop a turn, so other
// requests are answered meanwhile; every row comes out once, in order, ties on confidence included.
// The batch's rows and results are stored with the same SQL the upload and the worker use (no model needed).
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeBatchTables, insertBatchPredictions, insertBatchRows } from "../../server/batches/batchRowsSql.server.ts";
import { DATABASES, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

const ROWS = 30_000;

describe.each(DATABASES)("large batch export on %s", (database) => {
  let server: TestServer;
  let user: Record<string, string>;
  let batchId: string;

  beforeAll(async () => {
    server = await startTestServer(database, { MODEL_ENABLED: "false" });
    const answer = await trpcPost(server.url, "auth.register", { email: "exporter@example.com", password: "a-fine-password-25" });
    user = { authorization: `Bearer ${answer.json.result.data.token}` };
    const prisma = server.services.db.prisma;
    const userId = answer.json.result.data.user.id as string;
    const batch = await prisma.batch.create({
      data: { userId, fileName: "big.csv", textColumn: "text", columns: ["id", "text"], fileFormat: {}, status: "completed", chunkSize: 1_000, totalRows: ROWS, processedRows: ROWS, labelCounts: { positive: ROWS } },
    });
    batchId = batch.id;
    for (let start = 0; start < ROWS; start += 5_000) {
      const rows = Array.from({ length: 5_000 }, (_, i) => ({ position: start + i, rowNumber: start + i + 1, text: `văn bản ${start + i + 1}`, cells: [String(start + i + 1), `văn bản ${start + i + 1}`] }));
      await insertBatchRows(prisma, batchId, rows);
      // confidences with many ties: the keyset must break them by row number
      const results = rows.map((r) => ({ label: "positive", confidence: ((r.rowNumber * 7919) % 100) / 100, probabilities: { positive: 1 }, tokenCount: 3, windowed: false, modelId: "m", modelVersion: "1", modelKind: "fast" as const, language: "vi", notVietnamese: false, aspects: null, rowNumber: r.rowNumber, text: r.text, searchText: r.text }));
      await insertBatchPredictions(prisma, { userId, batchId }, results, new Date());
    }
    await analyzeBatchTables(prisma); // as the worker does when a batch completes
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it("answers other requests while a large export streams", async () => {
    let exportDone = false;
    const exported = fetch(`${server.url}/api/batches/${batchId}/results.json?sort=confidence`, { headers: user }).then(async (res) => {
      const rows = (await res.json()) as { row: number; confidence: number }[];
      exportDone = true;
      return rows;
    });
    await new Promise((r) => setTimeout(r, 50));
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(exportDone).toBe(false);
    const rows = await exported;
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows.map((r) => r.row)).size).toBe(ROWS);
    const outOfOrder = rows.findIndex((b, i) => i > 0 && !(rows[i - 1]!.confidence < b.confidence || (rows[i - 1]!.confidence === b.confidence && rows[i - 1]!.row < b.row)));
    expect(outOfOrder).toBe(-1);
  });

  /** Rows the database has read from the two tables so far (sequential and index fetches). */
  async function tuplesRead(): Promise<number> {
    const prisma = server.services.db.prisma;
    await prisma.$executeRawUnsafe("SELECT pg_stat_force_next_flush()");
    await prisma.$queryRawUnsafe("SELECT 1");
    const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT (coalesce(sum(seq_tup_read), 0) + coalesce(sum(idx_tup_fetch), 0))::float8 AS n FROM pg_stat_user_tables WHERE relname IN ('predictions', 'batch_rows')`,
    );
    return rows[0]!.n;
  }

  // On PostgreSQL each pooled connection reports its figures on its own schedule; the embedded database has one.
  it.runIf(database === "pglite")("reads each row a bounded number of times, not once per page before it", async () => {
    const before = await tuplesRead();
    for (const sort of ["row", "confidence", "-confidence"]) {
      const res = await fetch(`${server.url}/api/batches/${batchId}/results.json?sort=${sort}`, { headers: user });
      expect(((await res.json()) as unknown[]).length).toBe(ROWS);
    }
    const read = (await tuplesRead()) - before;
    // each export reads every prediction and its row once (a little more at page edges); OFFSET pages re-read all rows before them
    expect(read).toBeLessThan(3 * 4 * ROWS);
  });

  it("exports every row once in each order", async () => {
    const csv = await (await fetch(`${server.url}/api/batches/${batchId}/results.csv`, { headers: user })).text();
    const parsed = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data.slice(1);
    expect(parsed.map((r) => Number(r[2]))).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    const descending = (await (await fetch(`${server.url}/api/batches/${batchId}/results.json?sort=-confidence`, { headers: user })).json()) as { row: number; confidence: number }[];
    expect(descending).toHaveLength(ROWS);
    const outOfOrder = descending.findIndex((b, i) => i > 0 && !(descending[i - 1]!.confidence > b.confidence || (descending[i - 1]!.confidence === b.confidence && descending[i - 1]!.row < b.row)));
    expect(outOfOrder).toBe(-1);
  });
});
