// The start-up summary names the database without credentials; request route labels stay a small, fixed set.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config.server.ts";
import { describeDatabase, startupSummary, usesEphemeralDatabase } from "../../server/observability/startupSummary.server.ts";
import { routeLabel, type RouteNames } from "../../server/observability/requestLogging.server.ts";
import type { Request } from "express";

describe("start-up summary", () => {
  it("names a PostgreSQL server by host and database, never its user or password", () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://app:s3cret-pw@db.example.com:6543/camxuc?sslmode=require", METRICS_TOKEN: "t0ken-t0ken-t0ken-t0ken" });
    expect(describeDatabase(config)).toEqual({ kind: "postgresql", host: "db.example.com:6543", database: "camxuc" });
    const text = JSON.stringify(startupSummary(config, { url: "http://localhost:7860", model: null }));
    expect(text).not.toMatch(/s3cret-pw|app:|t0ken/);
    expect(text).toContain(process.version);
  });

  it("calls the embedded database ephemeral only in production", () => {
    expect(usesEphemeralDatabase(loadConfig({ NODE_ENV: "production" }))).toBe(true);
    expect(usesEphemeralDatabase(loadConfig({ NODE_ENV: "development" }))).toBe(false);
    expect(usesEphemeralDatabase(loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgresql://h/db" }))).toBe(false);
  });
});

describe("route labels", () => {
  const names: RouteNames = { procedures: new Set(["predict.single", "auth.me"]), pages: new Set(["history", "dashboard"]) };
  const label = (url: string) => routeLabel({ originalUrl: url, baseUrl: "" } as Request, names);

  it("keep known procedures and pages, and fold everything else into a few values", () => {
    expect(label("/api/trpc/predict.single?input=%7B%22text%22%3A%22secret%22%7D")).toBe("/api/trpc/predict.single");
    expect(label("/api/trpc/auth.me,predict.single?batch=1")).toBe("/api/trpc/auth.me,predict.single");
    expect(label("/api/trpc/made.up")).toBe("/api/trpc/unknown");
    expect(label("/history/123?q=abc")).toBe("/history");
    expect(label("/wp-admin.php")).toBe("other");
    expect(label("/build/_shared/chunk-ABC.js")).toBe("/build/*");
    expect(label("/")).toBe("/");
  });
});
