// Each error kind on each transport, over real HTTP, with the body it has always had: tRPC, the generated
// REST routes, the hand-written upload route, the origin check, and a page's form action (its message translated).
// What Remix refuses on its own reaches the server's logger, not the console.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogs } from "../support/logCapture.ts";
import { startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

const body = (code: string, message: string, messageKey: string | null, field: string | null = null) => ({ error: { code, message, messageKey, field } });

describe("error answers on every transport", () => {
  let server: TestServer;
  let bearer: Record<string, string>;
  const { logger, lines: logLines } = captureLogs();
  const linesOf = (answer: Response) => logLines.filter((line) => line.msg !== "request" && line.requestId === answer.headers.get("x-request-id"));

  beforeAll(async () => {
    server = await startTestServer("pglite", { MODEL_ENABLED: "false" }, { withUi: true, logger });
    const registered = await trpcPost(server.url, "auth.register", { email: "errors@example.com", password: "errors-password-1" });
    bearer = { authorization: `Bearer ${registered.json.result.data.token}` };
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it("tRPC: a validation error names the field, in tRPC's envelope, with the message key", async () => {
    const answer = await trpcPost(server.url, "auth.login", { email: "not-an-email", password: "x" });
    expect(answer.status).toBe(400);
    expect(answer.json.error.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400, messageKey: "error.invalidInput", field: "email" });
  });

  it("REST: not found, unreadable JSON and a missing token, each in the one body shape", async () => {
    const missing = await fetch(`${server.url}/api/batches/${crypto.randomUUID()}`, { headers: bearer });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual(body("NOT_FOUND", "No such batch (it may have been deleted)", "batch.notFound"));
    const unreadable = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(unreadable.status).toBe(400);
    expect(await unreadable.json()).toEqual(body("PARSE_ERROR", "The body is not valid JSON", "error.invalidJson"));
    const anonymous = await fetch(`${server.url}/api/batches`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual(body("UNAUTHORIZED", "Log in to do this", "auth.loginRequired"));
  });

  it("the upload route: no token, then not multipart, in the same shape", async () => {
    const anonymous = await fetch(`${server.url}/api/predict/batch`, { method: "POST", headers: { "content-type": "text/csv" }, body: "text\nxin chào\n" });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual(body("UNAUTHORIZED", "Log in (or send Authorization: Bearer <token>) to do this", "auth.loginRequired"));
    const notMultipart = await fetch(`${server.url}/api/predict/batch`, { method: "POST", headers: { ...bearer, "content-type": "text/csv" }, body: "text\nxin chào\n" });
    expect(notMultipart.status).toBe(400);
    expect(await notMultipart.json()).toEqual(body("BAD_REQUEST", 'Send the file as multipart/form-data in a field named "file" (curl -F file=@reviews.csv)', "batch.notMultipart", "file"));
  });

  it("the origin check: a cross-site write with a session cookie is 403 in the same shape", async () => {
    const answer = await fetch(`${server.url}/api/trpc/auth.logout`, { method: "POST", headers: { "content-type": "application/json", cookie: "camxuc_session=x", origin: "https://evil.example" }, body: "{}" });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toEqual(body("FORBIDDEN", "Cross-site request refused: the Origin (or Referer) header is missing or does not match this site", "error.badOrigin"));
  });

  it("a page: the login form's action shows the field's message in Vietnamese, with status 400", async () => {
    const answer = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, accept: "text/html" },
      body: new URLSearchParams({ email: "not-an-email", password: "x" }).toString(),
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("Email không hợp lệ");
  });

  it("a page without a form: a POST is refused (405) as the error page, in one log line with the request id, nothing on the console", async () => {
    // Remix's own default wrote an eight-line stack trace to stderr for every such request (failOnConsoleError
    // fails this test if anything reaches console.error)
    const answer = await fetch(`${server.url}/dashboard`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, accept: "text/html" },
      body: "a=b",
    });
    expect(answer.status).toBe(405);
    expect(await answer.text()).toContain('data-testid="error-message"');
    expect(linesOf(answer)).toEqual([expect.objectContaining({ level: "debug", msg: "page refused the request", status: 405, method: "POST", path: "/dashboard" })]);
  });

  it("a page: a cross-site write with a bearer token is the readable 403, not Remix's bare 500 and an error line", async () => {
    // the bearer exemption is the API's; Remix refused the foreign Origin on a page with an empty 500
    const answer = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { ...bearer, "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example", accept: "text/html" },
      body: new URLSearchParams({ email: "errors@example.com", password: "errors-password-1" }).toString(),
    });
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain("Cross-site request refused");
    expect(linesOf(answer)).toEqual([]);
    // the API keeps its exemption: a script with a token may post from anywhere (past the origin check, this call
    // is refused for its input, 400, not 403)
    for (const path of ["/api/trpc/auth.login", "/API/trpc/auth.login"]) {
      // Express routes paths case-insensitively, so the exemption follows them
      const api = await fetch(`${server.url}${path}`, { method: "POST", headers: { ...bearer, "content-type": "application/json", origin: "https://evil.example" }, body: "{}" });
      expect(api.status, path).toBe(400);
    }
  });
});
