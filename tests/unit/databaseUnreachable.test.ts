// Which errors mean "the database cannot be reached" (answered 503 with Retry-After) rather than a bad query (500),
// and which mean PostgreSQL stopped a statement at statement_timeout (a 503 of its own, no outage).
import { describe, expect, it } from "vitest";
import { isDatabaseUnreachable, isStatementTimeout } from "#server/db/databaseOutage.server.ts";

describe("isDatabaseUnreachable", () => {
  it("knows the messages the pg driver and Prisma's adapter give for a cut connection", () => {
    // Prisma's wording when the adapter's connection is cut mid-query (seen in CI: it was answered 500)
    const prisma = Object.assign(new Error("\nInvalid `prisma.$executeRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Server has closed the connection.`"), { code: "P2010" });
    expect(isDatabaseUnreachable(prisma)).toBe(true);
    expect(isDatabaseUnreachable(new Error("Connection terminated unexpectedly"))).toBe(true);
    // pg's query_timeout (DATABASE_QUERY_TIMEOUT_SECONDS + 2 s): a database that stopped answering
    expect(isDatabaseUnreachable(new Error("Query read timeout"))).toBe(true);
    expect(isDatabaseUnreachable(new Error("server closed the connection unexpectedly"))).toBe(true);
    expect(isDatabaseUnreachable({ code: "ECONNREFUSED" })).toBe(true);
    expect(isDatabaseUnreachable({ code: "57P01" })).toBe(true);
    expect(isDatabaseUnreachable(new Error("wrapped", { cause: { kind: "ConnectionClosed" } }))).toBe(true);
  });

  it("does not take a bad query for an outage", () => {
    expect(isDatabaseUnreachable(Object.assign(new Error('relation "nope" does not exist'), { code: "42P01" }))).toBe(false);
    expect(isDatabaseUnreachable(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }))).toBe(false);
    expect(isDatabaseUnreachable(null)).toBe(false);
  });
});

describe("isStatementTimeout", () => {
  // the shapes Prisma 7 with @prisma/adapter-pg gave against PostgreSQL 15 (2026-12-05)
  const modelQuery = Object.assign(new Error("\nInvalid `prisma.user.findMany()` invocation"), {
    code: "P2039",
    meta: { modelName: "User", driverAdapterError: { name: "DriverAdapterError", cause: { originalCode: "57014", kind: "postgres", code: "57014", message: "canceling statement due to statement timeout" } } },
  });
  const rawQuery = Object.assign(new Error("\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `57014`. Message: `canceling statement due to statement timeout`"), { code: "P2010", meta: {} });

  it("knows a statement PostgreSQL cancelled for its time, from a model query and from a raw one", () => {
    expect(isStatementTimeout(modelQuery)).toBe(true);
    expect(isStatementTimeout(rawQuery)).toBe(true);
    expect(isStatementTimeout(new Error("wrapped", { cause: { code: "57014" } }))).toBe(true);
  });

  it("is neither an outage nor any other error", () => {
    expect(isDatabaseUnreachable(modelQuery)).toBe(false);
    expect(isDatabaseUnreachable(rawQuery)).toBe(false);
    expect(isStatementTimeout(new Error("Query read timeout"))).toBe(false);
    expect(isStatementTimeout(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }))).toBe(false);
    expect(isStatementTimeout(undefined)).toBe(false);
  });
});
