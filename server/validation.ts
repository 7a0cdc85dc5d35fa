// Shared zod helpers for input schemas (zod v4, as trpc-to-openapi requires).
import type { z } from "zod/v4";

/**
 * A type error message for present-but-wrong values only: a missing value keeps zod's default issue,
 * which the tRPC error formatter turns into "<field> is required".
 */
export function wrongType(message: string) {
  return { error: (issue: z.core.$ZodRawIssue) => (issue.input === undefined ? undefined : message) };
}

/**
 * The path ("texts.3", "" for the input itself) of the first string in `value` that contains U+0000, or null.
 * Object keys count too: they end up in JSON columns.
 */
export function findNulCharacter(value: unknown, path = "", depth = 0): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (!value || typeof value !== "object" || depth > 20) return null;
  for (const [key, item] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key.includes("\u0000")) return here;
    const found = findNulCharacter(item, here, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
