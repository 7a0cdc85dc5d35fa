// Batch analysis over real HTTP: multipart upload, pg-boss chunks on the real model, results, export,
// progress events, cancel, delete and ownership, on the embedded database and PostgreSQL.
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcGet, trpcPost, type TestServer } from "../support/testServer.ts";
import { reviewCsv, uploadCsv, waitForBatch } from "../support/batchFiles.ts";

const ROWS = 1_501;

describe.each(DATABASES)("batch analysis on %s", (database) => {
  let server: TestServer;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let batchId: string;
  let finished: any;

  beforeAll(async () => {
    // row 1 starts with a formula, row 2 is ragged, then 1,500 reviews (rows 3 to 1,502); built first, so that no
    // keep-alive connection sits idle while it is (a loaded machine then saw the server close it as it was reused)
    const csv = reviewCsv(ROWS - 1).replace("\r\n1,", '\r\n0,"=HYPERLINK(""http://x"")",1\r\nragged\r\n1,');
    server = await startTestServer(database, { BATCH_CHUNK_ROWS: "300", BATCH_MAX_BYTES: "1000000", BATCH_MAX_ACTIVE_PER_USER: "2" });
    const token = async (email: string) => (await trpcPost(server.url, "auth.register", { email, password: "batch-password" })).json.result.data.token as string;
    alice = { authorization: `Bearer ${await token("alice@example.com")}` };
    bob = { authorization: `Bearer ${await token("bob@example.com")}` };
    const upload = await uploadCsv(server.url, csv, alice, { fileName: "đánh giá.csv" });
    expect(upload.status).toBe(202);
    batchId = upload.json.id;
    finished = await waitForBatch(server.url, batchId, alice);
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it("answers the upload with 202, id and URLs, and processes every row exactly once", async () => {
    expect(finished).toMatchObject({ status: "completed", textColumn: "review", columns: ["id", "review", "stars"], skipped: 1, processed: finished.total });
    expect(finished.total).toBe(ROWS);
    expect(finished.skippedRows[0]).toMatchObject({ row: 2, reason: "ragged" });
    const prisma = server.services.db.prisma;
    const rows = await prisma.prediction.findMany({ where: { batchId }, select: { rowNumber: true, source: true } });
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows.map((r) => r.rowNumber)).size).toBe(ROWS);
    expect(rows.every((r) => r.source === "batch")).toBe(true);
    const counts = finished.labelCounts as Record<string, number>;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(ROWS);
    expect(finished.averageConfidence).toBeGreaterThan(0.3);
    const cloudLabel = Object.keys(finished.terms)[0]!;
    expect(finished.terms[cloudLabel].length).toBeGreaterThan(5);
    expect(finished.modelId).toBeTruthy();
  });

  it("streams the results as CSV with a BOM, the original columns, probabilities, and formulas neutralised", async () => {
    const response = await fetch(`${server.url}/api/batches/${batchId}/results.csv`, { headers: alice });
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const parsed = Papa.parse<string[]>(new TextDecoder().decode(bytes.slice(3)), { skipEmptyLines: true }).data;
    expect(parsed[0]!.slice(0, 12)).toEqual(["id", "review", "stars", "row", "label", "confidence", "p_negative", "p_neutral", "p_positive", "language", "not_vietnamese", "model"]);
    // then one aspect_<id> column per aspect found (domain auto), then why a row was skipped
    expect(parsed[0]!.slice(12, -1).every((h) => /^aspect_[a-z0-9_]+$/.test(h))).toBe(true);
    expect(parsed[0]!.at(-1)).toBe("skipped");
    expect(parsed).toHaveLength(ROWS + 2);
    expect(parsed[1]![1]).toBe(`'=HYPERLINK("http://x")`);
    const p = parsed[5]!.slice(6, 9).map(Number);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);

    const label = Object.keys(finished.labelCounts)[0]!;
    const filtered = await fetch(`${server.url}/api/batches/${batchId}/results.csv?label=${label}`, { headers: alice });
    const filteredRows = Papa.parse<string[]>((await filtered.text()).replace(/^\uFEFF/, ""), { skipEmptyLines: true }).data.slice(1);
    expect(filteredRows).toHaveLength(finished.labelCounts[label]);
    expect(filteredRows.every((r) => r[4] === label)).toBe(true);

    const json = (await (await fetch(`${server.url}/api/batches/${batchId}/results.json?sort=-confidence`, { headers: alice })).json()) as any[];
    expect(json).toHaveLength(ROWS + 1);
    expect(json[0].confidence).toBeGreaterThanOrEqual(json[ROWS - 1].confidence);
    expect(json[0].columns).toHaveProperty("review");
  });

  it("lists the skipped row in results.csv and results.json, in file order, with an empty label and the reason", async () => {
    const csv = await (await fetch(`${server.url}/api/batches/${batchId}/results.csv`, { headers: alice })).text();
    const parsed = Papa.parse<string[]>(csv.replace(/^\uFEFF/, ""), { skipEmptyLines: true }).data;
    expect(parsed.slice(1, 4).map((r) => r[3])).toEqual(["1", "2", "3"]);
    const skippedAt = parsed[0]!.indexOf("skipped");
    expect(parsed[2]!.slice(0, skippedAt)).toEqual(["", "", "", "2", ...Array(skippedAt - 4).fill("")]);
    expect(parsed[2]![skippedAt]).toBe(finished.skippedRows[0].message);
    expect(parsed.slice(1).filter((r) => r[skippedAt]).length).toBe(1);
    const json = (await (await fetch(`${server.url}/api/batches/${batchId}/results.json`, { headers: alice })).json()) as any[];
    expect(json.map((r) => r.row).slice(0, 3)).toEqual([1, 2, 3]);
    expect(json[1]).toEqual({ row: 2, columns: {}, label: "", confidence: null, probabilities: null, skipped: { reason: "ragged", message: finished.skippedRows[0].message } });
    // a filtered export lists only analysed rows
    const label = Object.keys(finished.labelCounts)[0]!;
    const filtered = (await (await fetch(`${server.url}/api/batches/${batchId}/results.json?label=${label}`, { headers: alice })).json()) as any[];
    expect(filtered.every((r) => r.label === label)).toBe(true);
  });

  it("pages, filters, searches and sorts results over tRPC", async () => {
    const label = Object.entries(finished.labelCounts as Record<string, number>).sort((a, b) => b[1] - a[1])[0]![0];
    const page = (await trpcGet(server.url, "batch.results", alice, { id: batchId, label, sort: "confidence", pageSize: 10 })).json.result.data;
    expect(page.total).toBe(finished.labelCounts[label]);
    expect(page.rows).toHaveLength(10);
    expect(page.rows[0].confidence).toBeLessThanOrEqual(page.rows[9].confidence);
    const word = (finished.terms[label][0].term as string).split(" ")[0]!;
    const searched = (await trpcGet(server.url, "batch.results", alice, { id: batchId, search: word, pageSize: 200 })).json.result.data;
    expect(searched.total).toBeGreaterThan(0);
  });

  it("sends progress as server-sent events", async () => {
    const response = await fetch(`${server.url}/api/batches/${batchId}/events`, { headers: alice });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const text = await response.text();
    const event = JSON.parse(text.split("data: ")[1]!.split("\n")[0]!);
    expect(event).toMatchObject({ status: "completed", processed: ROWS, total: ROWS });
  });

  it("answers 404 for another user's batch on every route", async () => {
    const routes: [string, string][] = [
      ["GET", `/api/batches/${batchId}`], ["POST", `/api/batches/${batchId}/cancel`], ["DELETE", `/api/batches/${batchId}`],
      ["GET", `/api/batches/${batchId}/results.csv`], ["GET", `/api/batches/${batchId}/results.json`], ["GET", `/api/batches/${batchId}/events`],
    ];
    for (const [method, path] of routes) {
      const response = await fetch(`${server.url}${path}`, { method, headers: method === "GET" ? bob : { ...bob, "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" });
      expect(`${method} ${path} ${response.status}`).toBe(`${method} ${path} 404`);
    }
    expect((await trpcGet(server.url, "batch.get", bob, { id: batchId })).status).toBe(404);
    expect((await trpcGet(server.url, "batch.results", bob, { id: batchId })).status).toBe(404);
    expect((await trpcPost(server.url, "batch.delete", { id: batchId }, bob)).status).toBe(404);
    expect((await trpcGet(server.url, "batch.list", bob)).json.result.data.items).toEqual([]);
    expect((await fetch(`${server.url}/api/batches/${batchId}`)).status).toBe(401);
  });

  it("refuses bad files with a precise message and stores nothing", async () => {
    const before = await server.services.db.prisma.batch.count();
    const xlsx = await uploadCsv(server.url, new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]), alice, { fileName: "reviews.xlsx" });
    expect(xlsx).toMatchObject({ status: 400, json: { error: { messageKey: "batch.fileNotCsvSpreadsheet" } } });
    const headerOnly = await uploadCsv(server.url, "id,review\n", alice);
    expect(headerOnly.json.error.messageKey).toBe("batch.fileHeaderOnly");
    const big = await uploadCsv(server.url, reviewCsv(12_000), alice);
    expect(big.status).toBe(413);
    expect(big.json.error.message).toContain("1000000");
    const missing = await uploadCsv(server.url, reviewCsv(5), alice, { textColumn: "comment" });
    expect(missing.json.error).toMatchObject({ messageKey: "batch.textColumnMissing", field: "text_column" });
    expect(await server.services.db.prisma.batch.count()).toBe(before);
    expect(await server.services.db.prisma.batchRow.count({ where: { batch: { status: "uploading" } } })).toBe(0);
  });

  it("holds a JSON batch's name to the file-name limit (BATCH_FILE_NAME_MAX_CHARS, 255), as an upload's", async () => {
    const before = await server.services.db.prisma.batch.count();
    const long = await trpcPost(server.url, "batch.create", { name: "n".repeat(256), texts: ["Tuyệt vời"] }, alice);
    expect(long.status).toBe(400);
    expect(long.json.error.data).toMatchObject({ messageKey: "batch.fileNameTooLong", field: "name" });
    expect(await server.services.db.prisma.batch.count()).toBe(before);
    const longest = await trpcPost(server.url, "batch.create", { name: "n".repeat(255), texts: ["Tuyệt vời"] }, alice);
    expect(longest.status).toBe(200);
    await waitForBatch(server.url, longest.json.result.data.id, alice);
  });

  it("creates a batch from JSON texts, cancels it, and deletes it with its rows", async () => {
    const created = await trpcPost(server.url, "batch.create", { name: "api texts", texts: ["Tuyệt vời", "", "Rất tệ"] }, alice);
    expect(created.json.result.data).toMatchObject({ status: "queued", total: 2, skipped: 1 });
    const id = created.json.result.data.id as string;
    const done = await waitForBatch(server.url, id, alice);
    expect(done.status).toBe("completed");
    const cancel = await fetch(`${server.url}/api/batches/${id}/cancel`, { method: "POST", headers: { ...alice, "content-type": "application/json" }, body: "{}" });
    expect(cancel.status).toBe(409);
    const deleted = await fetch(`${server.url}/api/batches/${id}`, { method: "DELETE", headers: { ...alice, "content-type": "application/json" }, body: "{}" });
    expect(deleted.status).toBe(200);
    expect(await server.services.db.prisma.prediction.count({ where: { batchId: id } })).toBe(0);
    expect(await server.services.db.prisma.batchRow.count({ where: { batchId: id } })).toBe(0);
    expect((await fetch(`${server.url}/api/batches/${id}`, { headers: alice })).status).toBe(404);
  });

  it("lists the routes in the OpenAPI document", async () => {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const path of ["/predict/batch", "/batches/{id}", "/batches/{id}/cancel", "/batches/{id}/results.csv", "/batches/{id}/events", "/batches"]) expect(doc.paths).toHaveProperty([path]);
  });
});
