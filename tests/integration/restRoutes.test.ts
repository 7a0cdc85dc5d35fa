// Every REST route under /api with fetch against the real server (real model, PGlite and PostgreSQL):
// happy paths, no token, bad tokens, validation, other users' resources, the one error shape, CORS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteUserAndRows } from "#server/auth/accountService.server.ts";
import { uploadCsv, waitForBatch } from "../support/batchFiles.ts";
import { DATABASES, startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

type Answer = { status: number; headers: Headers; json: any };

const ALLOWED_ORIGIN = "https://app.example.com";

describe.each(DATABASES)("REST routes on %s", (database) => {
  let server: TestServer;

  async function rest(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
    if (options.body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
    const response = await fetch(`${server.url}/api${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
  }

  /** The one error shape, with the status and code that go together. */
  function expectError(answer: Answer, status: number, code: string, messageKey?: string) {
    expect(answer.status, JSON.stringify(answer.json)).toBe(status);
    expect(Object.keys(answer.json)).toEqual(["error"]);
    expect(Object.keys(answer.json.error).sort()).toEqual(["code", "field", "message", "messageKey"]);
    expect(answer.json.error.code).toBe(code);
    expect(typeof answer.json.error.message).toBe("string");
    if (messageKey) expect(answer.json.error.messageKey).toBe(messageKey);
  }

  async function register(email: string, password = "mật-khẩu-dài-đủ"): Promise<string> {
    const answer = await rest("POST", "/auth/register", { body: { email, password } });
    expect(answer.status).toBe(200);
    return answer.json.token as string;
  }

  beforeAll(async () => {
    server = await startTestServer(database, { MAX_TEXTS_PER_REQUEST: "5", MAX_TEXT_CHARS: "2000", ANONYMOUS_PREDICTIONS_PER_MINUTE: "2", REGISTRATIONS_PER_IP_PER_HOUR: "100", CORS_ORIGINS: ALLOWED_ORIGIN });
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it("registers, logs in with a token and its expiry, answers me, logs out", async () => {
    const registered = await rest("POST", "/auth/register", { body: { email: "Mai.Tran@Example.com", password: "mật-khẩu-dài-đủ", locale: "en" } });
    expect(registered.status).toBe(200);
    expect(registered.json.user).toMatchObject({ email: "mai.tran@example.com", locale: "en" });
    expect(registered.json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const login = await rest("POST", "/auth/login", { body: { email: "mai.tran@example.com", password: "mật-khẩu-dài-đủ" } });
    expect(login.status).toBe(200);
    expect(new Date(login.json.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const me = await rest("GET", "/auth/me", { token: login.json.token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ user: { email: "mai.tran@example.com" }, authMethod: "bearer" });

    expect((await rest("POST", "/auth/logout", { token: login.json.token })).json).toEqual({ ok: true });
    expectError(await rest("GET", "/auth/me", { token: login.json.token }), 401, "UNAUTHORIZED", "auth.invalidToken");
    // The other token (from registering) still works.
    expect((await rest("GET", "/auth/me", { token: registered.json.token })).status).toBe(200);
  });

  it("refuses bad credentials and duplicate accounts in the one error shape", async () => {
    await register("trung@example.com");
    expectError(await rest("POST", "/auth/login", { body: { email: "trung@example.com", password: "sai-mật-khẩu" } }), 401, "UNAUTHORIZED", "auth.invalidCredentials");
    expectError(await rest("POST", "/auth/register", { body: { email: "trung@example.com", password: "mật-khẩu-khác-đủ" } }), 409, "CONFLICT", "auth.emailTaken");
    const invalid = await rest("POST", "/auth/register", { body: { email: "không-phải-email", password: "mật-khẩu-dài-đủ" } });
    expectError(invalid, 400, "BAD_REQUEST", "error.invalidInput");
    expect(invalid.json.error.field).toBe("email");
    const short = await rest("POST", "/auth/register", { body: { email: "ngan@example.com", password: "ngắn" } });
    expectError(short, 400, "BAD_REQUEST", "auth.passwordTooShort");
    expect(short.json.error.field).toBe("password");
  });

  it("answers 401 on every protected route without a token, and on every route with a bad one", async () => {
    const token = await register("khong-token@example.com");
    const created = await rest("POST", "/tokens", { token, body: { name: "tạm" } });
    await rest("DELETE", `/tokens/${created.json.id}`, { token });
    const routes: [string, string, unknown?][] = [
      ["POST", "/auth/logout"],
      ["GET", "/auth/me"],
      ["POST", "/predict/many", { texts: ["tốt"] }],
      ["GET", "/history"],
      ["DELETE", "/history/5b0f8c3e-0000-4000-8000-000000000000"],
      ["GET", "/insights"],
      ["GET", "/tokens"],
      ["POST", "/tokens", { name: "x" }],
      ["DELETE", "/tokens/5b0f8c3e-0000-4000-8000-000000000000"],
      ["POST", "/account/password", { currentPassword: "a", newPassword: "b" }],
      ["POST", "/account/sign-out-everywhere"],
      ["PUT", "/account/language", { locale: "vi" }],
      ["POST", "/account/delete", { password: "a" }],
    ];
    for (const [method, path, body] of routes) {
      expectError(await rest(method, path, { body: body ?? (method === "POST" ? {} : undefined) }), 401, "UNAUTHORIZED", "auth.loginRequired");
    }
    const badTokens = ["rác", "A".repeat(43), `cxk_${"A".repeat(43)}`, created.json.token];
    const openRoutes: [string, string, unknown?][] = [["POST", "/predict/single", { text: "Sản phẩm tốt" }], ["GET", "/model"], ...routes];
    for (const bad of badTokens) {
      for (const [method, path, body] of openRoutes) {
        expectError(await rest(method, path, { token: bad, body: body ?? (method === "POST" ? {} : undefined) }), 401, "UNAUTHORIZED", "auth.invalidToken");
      }
    }
  });

  it("refuses a bad bearer token instead of answering as an anonymous visitor (REST and tRPC)", async () => {
    const forged = `cxk_${"B".repeat(43)}`;
    const single = await rest("POST", "/predict/single", { token: forged, body: { text: "Sản phẩm rất tốt" } });
    expectError(single, 401, "UNAUTHORIZED", "auth.invalidToken");
    const trpc = await trpcPost(server.url, "predict.single", { text: "Sản phẩm rất tốt" }, { authorization: "Bearer expired-or-forged" });
    expect(trpc.status).toBe(401);
    expect(trpc.json.error.data.messageKey).toBe("auth.invalidToken");
  });

  it("creates, uses, lists and revokes personal API tokens", async () => {
    const login = await register("token-user@example.com");
    const created = await rest("POST", "/tokens", { token: login, body: { name: "Báo cáo hằng đêm", expiresInDays: 30 } });
    expect(created.status).toBe(200);
    expect(created.json.token).toMatch(/^cxk_[A-Za-z0-9_-]{43}$/);
    expect(created.json).toMatchObject({ name: "Báo cáo hằng đêm", lastUsedAt: null, revokedAt: null });
    const days = (new Date(created.json.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    // Only a hash is stored.
    const row = await server.services.db.prisma.apiToken.findUniqueOrThrow({ where: { id: created.json.id } });
    expect(JSON.stringify(row)).not.toContain(created.json.token.slice(4));

    const apiToken = created.json.token as string;
    const predicted = await rest("POST", "/predict/single", { token: apiToken, body: { text: "Giao hàng nhanh, đóng gói cẩn thận" } });
    expect(predicted.status).toBe(200);
    expect(predicted.json.stored).toBe(true);
    expect((await rest("GET", "/auth/me", { token: apiToken })).json.authMethod).toBe("apiToken");

    const listed = await rest("GET", "/tokens", { token: login });
    expect(listed.json.tokens).toHaveLength(1);
    expect(listed.json.tokens[0].token).toBeUndefined();
    expect(new Date(listed.json.tokens[0].lastUsedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    expectError(await rest("POST", "/tokens", { token: apiToken, body: { name: "con" } }), 403, "FORBIDDEN", "tokens.notWithToken");
    expectError(await rest("POST", "/tokens", { token: login, body: { name: "  " } }), 400, "BAD_REQUEST");
    expectError(await rest("POST", "/tokens", { token: login, body: { name: "x", expiresInDays: 0 } }), 400, "BAD_REQUEST");
    expectError(await rest("POST", "/tokens", { token: login, body: { name: "x", expiresInDays: 366 } }), 400, "BAD_REQUEST", "tokens.expiryTooLong");
    expectError(await rest("DELETE", "/tokens/không-phải-id", { token: login }), 400, "BAD_REQUEST");

    const revoked = await rest("DELETE", `/tokens/${created.json.id}`, { token: login });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revokedAt).not.toBeNull();
    expectError(await rest("POST", "/predict/single", { token: apiToken, body: { text: "còn dùng được không?" } }), 401, "UNAUTHORIZED", "auth.invalidToken");
  });

  it("refuses an expired API token, and never takes one from a cookie or the query string", async () => {
    const login = await register("expired-token@example.com");
    const created = await rest("POST", "/tokens", { token: login, body: { name: "hết hạn" } });
    expect(created.json.expiresAt).toBeNull();
    const apiToken = created.json.token as string;
    expect((await rest("GET", "/history", { token: apiToken })).status).toBe(200);
    expectError(await rest("GET", `/history?token=${apiToken}&access_token=${apiToken}`), 401, "UNAUTHORIZED");
    expectError(await rest("GET", "/history", { headers: { cookie: `camxuc_session=${apiToken}` } }), 401, "UNAUTHORIZED", "auth.loginRequired");
    await server.services.db.prisma.apiToken.update({ where: { id: created.json.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectError(await rest("GET", "/history", { token: apiToken }), 401, "UNAUTHORIZED", "auth.invalidToken");
  });

  it("analyses one text or many, with validation errors naming the field", async () => {
    const token = await register("predict-rest@example.com");
    const single = await rest("POST", "/predict/single", { token, body: { text: "Sản phẩm rất tốt, giao hàng nhanh" } });
    expect(single.status).toBe(200);
    expect(single.json.label).toBe("positive");
    expect(Object.keys(single.json.probabilities).sort()).toEqual(["negative", "neutral", "positive"]);

    const many = await rest("POST", "/predict/many", { token, body: { texts: ["Tuyệt vời", "Hàng lỗi, thất vọng quá"] } });
    expect(many.status).toBe(200);
    expect(many.json.results.map((r: { text: string }) => r.text)).toEqual(["Tuyệt vời", "Hàng lỗi, thất vọng quá"]);
    expect(many.json.results[1].label).toBe("negative");

    const missing = await rest("POST", "/predict/single", { token, body: {} });
    expectError(missing, 400, "BAD_REQUEST", "error.invalidInput");
    expect(missing.json.error).toMatchObject({ field: "text", message: "text is required" });
    const wrongType = await rest("POST", "/predict/single", { token, body: { text: 5 } });
    expect(wrongType.json.error).toMatchObject({ field: "text", message: "text must be a string" });
    const long = await rest("POST", "/predict/single", { token, body: { text: "a".repeat(2001) } });
    expectError(long, 400, "BAD_REQUEST", "predict.textTooLong");
    const blank = await rest("POST", "/predict/many", { token, body: { texts: ["tốt", "   "] } });
    expectError(blank, 400, "BAD_REQUEST", "predict.emptyText");
    expect(blank.json.error.field).toBe("texts.1");
    expectError(await rest("POST", "/predict/many", { token, body: { texts: Array(6).fill("tốt") } }), 400, "BAD_REQUEST", "predict.tooManyTexts");
    expectError(await rest("POST", "/predict/single", { token, body: "{not json" }), 400, "PARSE_ERROR");
    expectError(await rest("POST", "/predict/single", { token, body: "text=tốt", headers: { "content-type": "text/plain" } }), 415, "UNSUPPORTED_MEDIA_TYPE", "error.unsupportedMediaType");
    const huge = await rest("POST", "/predict/single", { token, body: { text: "a".repeat(server.services.config.MAX_BODY_BYTES) } });
    expectError(huge, 413, "PAYLOAD_TOO_LARGE", "error.bodyTooLarge");
    expectError(await rest("GET", "/khong-co-dau"), 404, "NOT_FOUND", "error.notFound");
  });

  it("limits anonymous tries with 429, Retry-After and the RateLimit-* headers", async () => {
    // ANONYMOUS_PREDICTIONS_PER_MINUTE is 2 here; other tests of this file made no anonymous call that succeeded.
    const answers: Answer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await rest("POST", "/predict/single", { body: { text: `thử ${i}` } }));
    expect(answers.slice(0, 2).map((a) => [a.status, a.json.stored])).toEqual([[200, false], [200, false]]);
    expect(answers.map((a) => [a.headers.get("ratelimit-limit"), a.headers.get("ratelimit-remaining")])).toEqual([["2", "1"], ["2", "0"], ["2", "0"]]);
    expect(Number(answers[0]!.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    expectError(answers[2]!, 429, "TOO_MANY_REQUESTS", "predict.anonymousLimit");
    expect(Number(answers[2]!.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("lists, pages and deletes history, and treats another user's results as not found", async () => {
    const owner = await register("history-owner@example.com");
    const other = await register("history-other@example.com");
    const many = await rest("POST", "/predict/many", { token: owner, body: { texts: ["Giao hàng nhanh", "Đóng gói cẩn thận", "Hàng lỗi"] } });
    const ids = many.json.results.map((r: { id: string }) => r.id);
    const first = await rest("GET", "/history?limit=2&withCounts=false", { token: owner });
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(2);
    expect(first.json.labelCounts).toBeNull();
    const second = await rest("GET", `/history?limit=2&cursor=${encodeURIComponent(first.json.nextCursor)}`, { token: owner });
    expect(second.json.items.map((i: { id: string }) => i.id)).toHaveLength(1);
    expect(Object.values(second.json.labelCounts).reduce((a: number, b) => a + (b as number), 0)).toBe(3);
    const searched = await rest("GET", `/history?search=${encodeURIComponent("giao hang")}`, { token: owner });
    expect(searched.json.items.map((i: { text: string }) => i.text)).toEqual(["Giao hàng nhanh"]);
    expectError(await rest("GET", "/history?limit=0", { token: owner }), 400, "BAD_REQUEST");
    expectError(await rest("GET", "/history?limit=101", { token: owner }), 400, "BAD_REQUEST", "history.limitTooLarge");

    expect((await rest("GET", "/history", { token: other })).json.items).toEqual([]);
    expectError(await rest("DELETE", `/history/${ids[0]}`, { token: other }), 404, "NOT_FOUND", "history.notFound");
    expectError(await rest("DELETE", "/history/không-phải-id", { token: owner }), 400, "BAD_REQUEST");
    expect((await rest("DELETE", `/history/${ids[0]}`, { token: owner })).json).toEqual({ deleted: ids[0] });
    expectError(await rest("DELETE", `/history/${ids[0]}`, { token: owner }), 404, "NOT_FOUND");

    const insights = await rest("GET", "/insights", { token: owner });
    expect(insights.status).toBe(200);
    expect(insights.json.total).toBe(2);
    expect((await rest("GET", "/insights", { token: other })).json.total).toBe(0);

    const otherToken = await rest("POST", "/tokens", { token: other, body: { name: "của người khác" } });
    expectError(await rest("DELETE", `/tokens/${otherToken.json.id}`, { token: owner }), 404, "NOT_FOUND", "tokens.notFound");
    expect((await rest("GET", "/tokens", { token: owner })).json.tokens).toEqual([]);
  });

  it("answers the model without a token", async () => {
    const model = await rest("GET", "/model");
    expect(model.status).toBe(200);
    expect(model.json.labels).toEqual(["negative", "neutral", "positive"]);
  });

  it("changes the password: asks for the current one, ends every other session and token", async () => {
    const first = await register("doi-mat-khau@example.com", "mật-khẩu-cũ-dài");
    const second = (await rest("POST", "/auth/login", { body: { email: "doi-mat-khau@example.com", password: "mật-khẩu-cũ-dài" } })).json.token;
    const apiToken = (await rest("POST", "/tokens", { token: first, body: { name: "script" } })).json.token;

    const wrong = await rest("POST", "/account/password", { token: first, body: { currentPassword: "không-đúng-đâu", newPassword: "mật-khẩu-mới-dài" } });
    expectError(wrong, 403, "FORBIDDEN", "account.wrongPassword");
    expect(wrong.json.error.field).toBe("currentPassword");
    const short = await rest("POST", "/account/password", { token: first, body: { currentPassword: "mật-khẩu-cũ-dài", newPassword: "ngắn" } });
    expectError(short, 400, "BAD_REQUEST", "auth.passwordTooShort");
    expect(short.json.error.field).toBe("newPassword");
    expect((await rest("GET", "/auth/me", { token: second })).status).toBe(200);

    expect((await rest("POST", "/account/password", { token: first, body: { currentPassword: "mật-khẩu-cũ-dài", newPassword: "mật-khẩu-mới-dài" } })).json).toEqual({ ok: true });
    expect((await rest("GET", "/auth/me", { token: first })).status).toBe(200);
    expectError(await rest("GET", "/auth/me", { token: second }), 401, "UNAUTHORIZED", "auth.invalidToken");
    expectError(await rest("GET", "/auth/me", { token: apiToken }), 401, "UNAUTHORIZED", "auth.invalidToken");
    expectError(await rest("POST", "/auth/login", { body: { email: "doi-mat-khau@example.com", password: "mật-khẩu-cũ-dài" } }), 401, "UNAUTHORIZED");
    expect((await rest("POST", "/auth/login", { body: { email: "doi-mat-khau@example.com", password: "mật-khẩu-mới-dài" } })).status).toBe(200);
  });

  it("signs out everywhere and sets the interface language", async () => {
    const first = await register("moi-noi@example.com");
    const apiToken = (await rest("POST", "/tokens", { token: first, body: { name: "script" } })).json.token;
    expect((await rest("PUT", "/account/language", { token: apiToken, body: { locale: "en" } })).json).toEqual({ locale: "en" });
    expect((await rest("GET", "/auth/me", { token: first })).json.user.locale).toBe("en");
    expectError(await rest("PUT", "/account/language", { token: first, body: { locale: "fr" } }), 400, "BAD_REQUEST");
    expect((await rest("POST", "/account/sign-out-everywhere", { token: first })).status).toBe(200);
    expectError(await rest("GET", "/auth/me", { token: first }), 401, "UNAUTHORIZED");
    expectError(await rest("GET", "/auth/me", { token: apiToken }), 401, "UNAUTHORIZED");
  });

  it("deletes an account and everything it owns, in every table, and nothing of anyone else", async () => {
    const keep = await register("o-lai@example.com");
    await rest("POST", "/predict/single", { token: keep, body: { text: "Người khác vẫn còn" } });
    const token = await register("xoa-het@example.com");
    await rest("POST", "/predict/many", { token, body: { texts: ["Một", "Hai"] } });
    await rest("POST", "/tokens", { token, body: { name: "sẽ bị xoá" } });
    const userId = (await rest("GET", "/auth/me", { token })).json.user.id as string;
    const prisma = server.services.db.prisma;
    // Every table with a user_id column, so tables added later are checked too.
    const tables = (await prisma.$queryRawUnsafe<{ table_name: string }[]>(
      "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'user_id'",
    )).map((row) => row.table_name);
    expect(tables).toEqual(expect.arrayContaining(["sessions", "predictions", "api_tokens"]));
    const owned = async () => {
      const counts: Record<string, number> = {};
      for (const table of [...tables, "users"]) {
        const column = table === "users" ? "id" : "user_id";
        const [row] = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" = $1`, userId);
        counts[table] = row!.n;
      }
      return counts;
    };
    const before = await owned();
    expect(before.predictions).toBe(2);
    expect(before.api_tokens).toBe(1);

    expectError(await rest("POST", "/account/delete", { token, body: { password: "không-đúng-đâu" } }), 403, "FORBIDDEN", "account.wrongPassword");
    expect((await owned()).users).toBe(1);
    expect((await rest("POST", "/account/delete", { token, body: { password: "mật-khẩu-dài-đủ" } })).json).toEqual({ ok: true });
    expect(Object.values(await owned()).every((n) => n === 0)).toBe(true);
    expectError(await rest("GET", "/auth/me", { token }), 401, "UNAUTHORIZED");
    expect((await rest("GET", "/history", { token: keep })).json.items).toHaveLength(1);
  });

  it("deletes an account's rows in bounded statements: predictions a few at a time, batches one by one, then the user", async () => {
    const token = await register("xoa-tung-phan@example.com");
    await rest("POST", "/predict/many", { token, body: { texts: ["Một", "Hai", "Ba", "Bốn", "Năm"] } });
    const auth = { authorization: `Bearer ${token}` };
    for (const name of ["a.csv", "b.csv"]) {
      const { id } = (await uploadCsv(server.url, "review\nHàng tốt\nGiao chậm\n", auth, { fileName: name })).json;
      expect((await waitForBatch(server.url, id, auth)).status).toBe("completed");
    }
    const userId = (await rest("GET", "/auth/me", { token })).json.user.id as string;
    const prisma = server.services.db.prisma;
    expect(await prisma.prediction.count({ where: { userId } })).toBe(9);
    const batchRows = await prisma.batchRow.count();
    // two predictions per statement: five statements, the last one short
    await deleteUserAndRows(prisma, userId, 2);
    expect(await prisma.prediction.count({ where: { userId } })).toBe(0);
    expect(await prisma.batch.count({ where: { userId } })).toBe(0);
    expect(await prisma.batchRow.count()).toBe(batchRows - 4);
    expect(await prisma.user.count({ where: { id: userId } })).toBe(0);
    expectError(await rest("GET", "/auth/me", { token }), 401, "UNAUTHORIZED");
  });

  it("allows browser apps on listed origins only (CORS), with preflight", async () => {
    const preflight = await fetch(`${server.url}/api/predict/single`, {
      method: "OPTIONS",
      headers: { origin: ALLOWED_ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();

    const foreign = await fetch(`${server.url}/api/model`, { headers: { origin: "https://evil.example" } });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const refused = await rest("POST", "/auth/login", { headers: { origin: "https://evil.example" }, body: { email: "a@example.com", password: "x" } });
    expectError(refused, 403, "FORBIDDEN", "error.badOrigin");

    // A listed origin's app may log in (no token yet, so the origin check must let it through) and read the answer.
    await register("cors@example.com");
    const login = await rest("POST", "/auth/login", { headers: { origin: ALLOWED_ORIGIN }, body: { email: "cors@example.com", password: "mật-khẩu-dài-đủ" } });
    expect(login.status).toBe(200);
    expect(login.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
  });
});
