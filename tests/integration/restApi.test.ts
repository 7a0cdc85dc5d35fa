// The OpenAPI document (validated, every route listed, one error shape, bearer scheme, Vietnamese examples) and Swagger UI's files at /docs.
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../server/http/restApi.server.ts";
import { startTestServer, type TestServer } from "../support/testServer.ts";

const ROUTES = [
  "POST /auth/register",
  "POST /auth/login",
  "POST /auth/logout",
  "GET /auth/me",
  "POST /predict/single",
  "POST /predict/many",
  "GET /history",
  "DELETE /history/{id}",
  "GET /insights",
  "GET /model",
  "GET /aspects",
  "GET /tokens",
  "POST /tokens",
  "DELETE /tokens/{id}",
  "POST /account/password",
  "POST /account/sign-out-everywhere",
  "PUT /account/language",
  "POST /account/delete",
  "POST /predict/batch",
  "GET /batches",
  "GET /batches/{id}",
  "DELETE /batches/{id}",
  "POST /batches/{id}/cancel",
  "GET /batches/{id}/results.csv",
  "GET /batches/{id}/results.json",
  "GET /batches/{id}/events",
];

type Operation = { security?: Record<string, string[]>[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }>; requestBody?: any };

function operations(doc: any): Map<string, Operation> {
  const found = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(item)) found.set(`${method.toUpperCase()} ${path}`, operation);
  }
  return found;
}

describe("OpenAPI document and Swagger UI", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("pglite", { MODEL_ENABLED: "false" });
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it("is a valid OpenAPI 3.1 document listing every route, built from zod v4 schemas (a v3 schema throws here, not in tsc)", async () => {
    const served = await (await fetch(`${server.url}/api/openapi.json`)).json();
    expect(served.openapi).toBe("3.1.0");
    expect(served.servers).toEqual([{ url: "/api" }]); // relative: never the Host header a client sent
    await SwaggerParser.validate(structuredClone(served));
    expect([...operations(served).keys()].sort()).toEqual([...ROUTES].sort());
  });

  it("describes the bearer scheme, which routes need it, and one error shape for every error answer", () => {
    const doc = openApiDocument("http://localhost/api") as any;
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.schemas.ApiError.properties.error.required.sort()).toEqual(["code", "field", "message", "messageKey"]);
    const ops = operations(doc);
    expect(ops.get("GET /history")!.security).toEqual([{ bearerAuth: [] }]);
    expect(ops.get("POST /predict/single")!.security).toEqual([{}, { bearerAuth: [] }]);
    expect(ops.get("POST /auth/login")!.security).toEqual([]);
    for (const [route, operation] of ops) {
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      if (route !== "GET /model" && route !== "GET /aspects") expect(errors.length, route).toBeGreaterThan(0);
      for (const [, response] of errors) expect(response.content!["application/json"]!.schema, route).toEqual({ $ref: "#/components/schemas/ApiError" });
    }
    expect(Object.keys(ops.get("DELETE /tokens/{id}")!.responses)).toContain("404");
    expect(Object.keys(ops.get("GET /history")!.responses)).toContain("401");
    expect(doc.info.description).toContain("Tiếng Việt");
    expect(doc.info.description).toContain("English");
    const example = ops.get("POST /predict/single")!.requestBody.content["application/json"].schema.examples;
    expect(example).toEqual([{ text: "Sản phẩm rất tốt, giao hàng nhanh", explain: true, domain: "auto" }]);
  });

  it("merges hand-written path items (multipart uploads) given through `paths`", () => {
    const doc = openApiDocument("http://localhost/api", {
      paths: { "/predict/batch": { post: { summary: "upload", responses: { 200: { description: "queued" } } } } },
    }) as any;
    expect(doc.paths["/predict/batch"].post.summary).toBe("upload");
    expect(doc.paths["/predict/single"]).toBeDefined();
  });

  it("serves Swagger UI at /docs from swagger-ui-dist, pointed at /api/openapi.json", async () => {
    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/docs/swagger-ui-bundle.js">');
    expect(html).not.toMatch(/https?:\/\//);
    const initializer = await (await fetch(`${server.url}/docs/swagger-initializer.js`)).text();
    expect(initializer).toContain('url: "/api/openapi.json"');
    const bundle = await fetch(`${server.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toMatch(/javascript/);
    expect((await fetch(`${server.url}/docs/index.html`, { redirect: "manual" })).headers.get("location")).toBe("/docs");
  });
});
