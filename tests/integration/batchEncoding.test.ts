// Issue 25, item 8 over real HTTP: a UTF-8 file with one damaged byte is read as UTF-8, the preview names the
// encoding, and only the row with the bad byte is skipped, reported with its byte offset.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";
import { reviewCsv, uploadCsv, waitForBatch } from "../support/batchFiles.ts";

describe.each(DATABASES)("a damaged UTF-8 upload on %s", (database) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(database, { BATCH_CHUNK_ROWS: "100" });
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it("previews as UTF-8 and skips only the damaged row, naming the byte", async () => {
    const answer = await trpcPost(server.url, "auth.register", { email: "encoding@example.com", password: "a-fine-password-25" });
    const user = { authorization: `Bearer ${answer.json.result.data.token}` };
    const bytes = Buffer.from(reviewCsv(200), "utf8");
    // the first byte of row 150's review (after "150,"; a quoted review starts one byte later)
    const rowStart = bytes.indexOf("\r\n150,") + "\r\n150,".length;
    const offset = bytes[rowStart] === 0x22 ? rowStart + 1 : rowStart;
    bytes[offset] = 0xff;

    const form = new FormData();
    form.append("file", new Blob([bytes.subarray(0, 65_536)], { type: "text/csv" }), "reviews.csv");
    const preview = await fetch(`${server.url}/api/predict/batch/preview`, { method: "POST", body: form, headers: user });
    expect(preview.status).toBe(200);
    expect(((await preview.json()) as any).format).toMatchObject({ encoding: "utf-8", hasHeader: true });

    const upload = await uploadCsv(server.url, new Uint8Array(bytes), user, { textColumn: "review" });
    expect(upload.status).toBe(202);
    const done = await waitForBatch(server.url, upload.json.id, user);
    expect(done).toMatchObject({ status: "completed", total: 199, skipped: 1 });
    expect(done.skippedRows).toEqual([{ row: 150, reason: "invalidUtf8", offset, message: expect.stringContaining(`byte ${offset}`) }]);
  }, 300_000);
});
