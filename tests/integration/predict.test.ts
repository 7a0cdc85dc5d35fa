// predict.single / predict.many over real HTTP with the bundled ONNX model, stored in the real databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

describe.each(DATABASES)("predictions on %s", (database) => {
  let server: TestServer;
  let auth: Record<string, string>;
  const predictionCount = () => server.services.db.prisma.prediction.count();

  beforeAll(async () => {
    server = await startTestServer(database, { MAX_TEXT_CHARS: "2000", MAX_TEXTS_PER_REQUEST: "5", ANONYMOUS_PREDICTIONS_PER_MINUTE: "3" });
    const reg = await trpcPost(server.url, "auth.register", { email: "predict@example.com", password: "predict-password" });
    auth = { authorization: `Bearer ${reg.json.result.data.token}` };
  });
  afterAll(async () => {
    await server?.close();
  });

  it("classifies one text for a user and stores it with the model id and version", async () => {
    const res = await trpcPost(server.url, "predict.single", { text: "Sản phẩm rất tốt, giao hàng nhanh" }, auth);
    expect(res.status).toBe(200);
    const result = res.json.result.data;
    const probabilities = Object.values(result.probabilities) as number[];
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(result.confidence).toBe(Math.max(...probabilities));
    expect(result.probabilities[result.label]).toBe(result.confidence);
    expect(result.stored).toBe(true);
    const row = await server.services.db.prisma.prediction.findUniqueOrThrow({ where: { id: result.id } });
    expect(row).toMatchObject({ label: result.label, modelId: result.modelId, modelVersion: result.modelVersion, source: "single" });
  });

  it("lets anonymous visitors try, without storing, and rate-limits them", async () => {
    const before = await predictionCount();
    for (let i = 0; i < 3; i++) {
      const res = await trpcPost(server.url, "predict.single", { text: `thử lần ${i}` });
      expect(res.status).toBe(200);
      expect(res.json.result.data.stored).toBe(false);
    }
    const limited = await trpcPost(server.url, "predict.single", { text: "thêm lần nữa" });
    expect(limited.status).toBe(429);
    expect(await predictionCount()).toBe(before);
  });

  it("classifies many texts in order and matches single results", async () => {
    const texts = ["Tuyệt vời, rất hài lòng", "Hàng lỗi, thất vọng quá", "bình thường"];
    const many = await trpcPost(server.url, "predict.many", { texts }, auth);
    expect(many.status).toBe(200);
    const results = many.json.result.data.results;
    expect(results.map((r: { text: string }) => r.text)).toEqual(texts);
    const single = await trpcPost(server.url, "predict.single", { text: texts[1] }, auth);
    expect(single.json.result.data.probabilities.negative).toBeCloseTo(results[1].probabilities.negative, 5);
  });

  it("windows a text longer than the model's 256 positions instead of cutting it", async () => {
    const text = "Giao hàng nhanh, đóng gói cẩn thận, sản phẩm đúng mô tả. ".repeat(30);
    const res = await trpcPost(server.url, "predict.single", { text }, auth);
    expect(res.json.result.data.windowed).toBe(true);
    expect(res.json.result.data.tokenCount).toBeGreaterThan(256);
  });

  it.each([
    ["whitespace only", "predict.single", { text: "   \n " }, 400, /empty or only spaces/],
    ["over the length limit", "predict.single", { text: "a".repeat(2001) }, 400, /too long: 2001 characters, the limit is 2000/],
    ["a number", "predict.single", { text: 42 }, 400, /text must be a string/],
    ["no text", "predict.single", {}, 400, /text is required/],
    ["too many texts", "predict.many", { texts: ["a", "b", "c", "d", "e", "f"] }, 400, /Too many texts: 6, the limit is 5/],
    ["an empty list", "predict.many", { texts: [] }, 400, /at least one text/],
    ["one empty text in the list", "predict.many", { texts: ["ok", ""] }, 400, /empty/],
    ["not a list", "predict.many", { texts: "not a list" }, 400, /array/],
  ])("rejects %s (%s)", async (_what, procedure, body, status, message) => {
    const before = await predictionCount();
    const res = await trpcPost(server.url, procedure, body, auth);
    expect(res.status).toBe(status);
    expect(res.json.error.message).toMatch(message);
    expect(await predictionCount()).toBe(before);
  });

  it("requires an account for predict.many", async () => {
    expect((await trpcPost(server.url, "predict.many", { texts: ["xin chào"] })).status).toBe(401);
  });
});
