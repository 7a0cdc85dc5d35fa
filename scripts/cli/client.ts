// The typed tRPC client the CLI talks through: one HTTP batch link, the bearer token in every request.
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../server/trpc/root.server.ts";

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(baseUrl: string, token: string | null) {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${baseUrl.replace(/\/+$/, "")}/api/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}

/** A server error as one line a person can act on ("401 auth.invalidToken: ..."). */
export function describeClientError(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { httpStatus?: number; messageKey?: string | null } | undefined;
    return [data?.httpStatus, data?.messageKey].filter(Boolean).join(" ") + (data ? ": " : "") + error.message;
  }
  return (error as Error).message ?? String(error);
}
