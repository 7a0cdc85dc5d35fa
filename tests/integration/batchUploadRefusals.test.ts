// Uploads refused while the file is still arriving (a long file name, an unknown domain, a model the server lacks,
// a form field after the file, a connection cut mid-file), each on a file large enough to be mid-stream when the
// refusal comes, against a server in its own process: it answers 400 (or the client sees the connection closed),
// stores nothing, and goes on serving. A discarded file stream destroyed with an error once ended the process.
import { rmSync } from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviewCsv } from "../support/batchFiles.ts";
import { startChildServer, type ChildServer } from "../support/childServer.ts";
import { pgliteDataDir, trpcGet, trpcPost } from "../support/testServer.ts";

const BOUNDARY = "----camxucRefusal";
const fileHead = (fileName: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n`;
const field = (name: string, value: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

type Answer = { status: number; messageKey: string | null };

/** Sends a multipart body in 16 KB writes; resolves with the answer, or status 0 when the server closed the connection first. */
function upload(url: string, headers: Record<string, string>, body: string, options: { cutAfterBytes?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(`${url}/api/predict/batch`);
    const bytes = Buffer.from(body);
    const req = http.request({
      host: target.hostname, port: target.port, path: target.pathname, method: "POST",
      headers: { ...headers, "content-type": `multipart/form-data; boundary=${BOUNDARY}`, "content-length": String(bytes.length) },
    });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let messageKey: string | null = null;
        try {
          messageKey = (JSON.parse(text) as { error?: { messageKey?: string } }).error?.messageKey ?? null;
        } catch {
          // not JSON: messageKey stays null and the test says so
        }
        resolve({ status: res.statusCode ?? 0, messageKey });
      });
    });
    req.on("error", (error) => (answered ? undefined : /EPIPE|ECONNRESET|socket hang up/.test(error.message) ? resolve({ status: 0, messageKey: null }) : reject(error)));
    const end = Math.min(bytes.length, options.cutAfterBytes ?? bytes.length);
    let sent = 0;
    const pump = () => {
      while (sent < end && !answered) {
        const next = bytes.subarray(sent, Math.min(end, sent + 16_384));
        sent += next.length;
        if (!req.write(next)) return void req.once("drain", pump);
      }
      if (options.cutAfterBytes !== undefined) {
        req.destroy();
        resolve({ status: 0, messageKey: null });
      } else if (!answered) req.end();
    };
    pump();
  });
}

describe("uploads refused mid-file, against a server in its own process", () => {
  let dataDir = "";
  let server: ChildServer;
  let user: Record<string, string>;
  // 3,000 rows (about 150 KB): far more than busboy hands over in one piece
  const csv = reviewCsv(3_000);

  beforeAll(async () => {
    dataDir = await pgliteDataDir();
    server = await startChildServer({ PORT: "0", DATA_DIR: dataDir, DATABASE_URL: "" });
    const registered = await trpcPost(server.url, "auth.register", { email: "refused@example.com", password: "refused-password-1" });
    user = { authorization: `Bearer ${registered.json.result.data.token}` };
  }, 300_000);
  afterAll(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const stillServing = async () => {
    expect(server.child.exitCode, server.output().slice(-3_000)).toBeNull();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  };

  it.each([
    ["a 300-character file name", fileHead(`${"a".repeat(300)}.csv`) + csv + `\r\n--${BOUNDARY}--\r\n`, "batch.fileNameTooLong"],
    ["an unknown domain", field("domain", "spaceships") + fileHead("reviews.csv") + csv + `\r\n--${BOUNDARY}--\r\n`, "aspects.unknownDomain"],
    ["model=accurate on a server without it", field("model", "accurate") + fileHead("reviews.csv") + csv + `\r\n--${BOUNDARY}--\r\n`, "predict.accurateUnavailable"],
    ["text_column after the file", fileHead("reviews.csv") + csv + `\r\n` + field("text_column", "review") + `--${BOUNDARY}--\r\n`, "batch.fieldOrder"],
  ])("%s: 400 with its reason (or the connection closed), nothing stored, the server goes on", async (_name, body, messageKey) => {
    const answer = await upload(server.url, user, body);
    if (answer.status !== 0) expect(answer).toEqual({ status: 400, messageKey });
    await stillServing();
    expect((await trpcGet(server.url, "batch.list", user)).json.result.data.items).toEqual([]);
  });

  it("two file parts: 400 batch.oneFile (the second was dropped without a word), nothing stored", async () => {
    const small = reviewCsv(20);
    const body = fileHead("a.csv") + small + `\r\n` + fileHead("b.csv") + small + `\r\n--${BOUNDARY}--\r\n`;
    const answer = await upload(server.url, user, body);
    expect(answer).toEqual({ status: 400, messageKey: "batch.oneFile" });
    expect((await trpcGet(server.url, "batch.list", user)).json.result.data.items).toEqual([]);
  });

  it("keeps a Vietnamese file name as sent (UTF-8, as browsers send it) and counts its limit in characters", async () => {
    const name = "Đánh giá khách hàng tháng 12.csv";
    const form = new FormData();
    form.append("file", new Blob([reviewCsv(5)], { type: "text/csv" }), name);
    const answer = await fetch(`${server.url}/api/predict/batch`, { method: "POST", body: form, headers: user });
    expect(answer.status).toBe(202);
    // 104 characters, 304 bytes in UTF-8: within the 255-character limit
    const long = `${"ả".repeat(100)}.csv`;
    const longForm = new FormData();
    longForm.append("file", new Blob([reviewCsv(5)], { type: "text/csv" }), long);
    expect((await fetch(`${server.url}/api/predict/batch`, { method: "POST", body: longForm, headers: user })).status).toBe(202);
    const names = ((await trpcGet(server.url, "batch.list", user)).json.result.data.items as { fileName: string }[]).map((b) => b.fileName);
    expect(names.sort()).toEqual([long, name].sort());
  });

  it("an upload cut mid-file stores nothing and the server goes on", async () => {
    const ids = async () => ((await trpcGet(server.url, "batch.list", user)).json.result.data.items as { id: string }[]).map((b) => b.id);
    const before = await ids();
    await upload(server.url, user, fileHead("reviews.csv") + csv + `\r\n--${BOUNDARY}--\r\n`, { cutAfterBytes: 80_000 });
    await new Promise((r) => setTimeout(r, 500));
    await stillServing();
    expect(await ids()).toEqual(before);
  });
});
