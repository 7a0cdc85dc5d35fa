// Shared zod helpers for input schemas (zod v4, as trpc-to-openapi requires).
import type { z } from "zod/v4";

/**
 * A type error message for present-but-wrong values only: a missing value keeps zod's default issue,
 * which the tRPC error formatter turns into "<field> is required".
 */
export function wrongType(message: string) {
  return { error: (issue: z.core.$ZodRawIssue) => (issue.input === undefined ? undefined : message) };
}
