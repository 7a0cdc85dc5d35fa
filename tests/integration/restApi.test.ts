import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../server/http/restApi.server.ts";
import { startTestServer, type TestServer } from "../support/testServer.ts";

describe("REST API generated from the tRPC router", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("pglite");
  });
  afterAll(async () => {
    await server?.close();
  });

  it("builds the OpenAPI document (zod v4 schemas only: a v3 schema throws here, not in tsc)", () => {
    const doc = openApiDocument("http://localhost/api");
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths ?? {})).toContain("/model");
  });

  it("serves a procedure with openapi meta as a plain JSON route", async () => {
    const response = await fetch(`${server.url}/api/model`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { modelId: string; labels: string[] };
    expect(body.labels).toEqual(["negative", "neutral", "positive"]);
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(doc.paths["/model"]).toBeDefined();
  });
});
