// Which errors mean "the database cannot be reached" (answered 503 with Retry-After) rather than a bad query (500).
import { describe, expect, it } from "vitest";
import { isDatabaseUnreachable } from "#server/db/databaseOutage.server.ts";

describe("isDatabaseUnreachable", () => {
  it("knows the messages the pg driver and Prisma's adapter give for a cut connection", () => {
    // Prisma's wording when the adapter's connection is cut mid-query (seen in CI: it was answered 500)
    const prisma = Object.assign(new Error("\nInvalid `prisma.$executeRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Server has closed the connection.`"), { code: "P2010" });
    expect(isDatabaseUnreachable(prisma)).toBe(true);
    expect(isDatabaseUnreachable(new Error("Connection terminated unexpectedly"))).toBe(true);
    // pg's query_timeout (DATABASE_QUERY_TIMEOUT_SECONDS): a database that stopped answering
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
