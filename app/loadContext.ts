// What server/main.ts hands every Remix loader and action (types only: the server is never bundled here).
import type { AppCaller } from "#server/trpc/root.server.ts";
import type { AuthUser } from "#server/auth/authService.server.ts";
import type { Logger } from "#server/observability/logger.server.ts";

declare module "@remix-run/node" {
  interface AppLoadContext {
    caller: AppCaller;
    user: AuthUser | null;
    /** The server's logger, bound to this request's id: what Remix itself catches is logged here, not on the console. */
    logger: Logger;
    /** This response's Content-Security-Policy nonce, for the inline scripts Remix writes. */
    cspNonce: string;
    config: {
      maxTextChars: number;
      maxTextsPerRequest: number;
      minPasswordLength: number;
      searchMaxChars: number;
      historyMaxPageSize: number;
      apiTokenMaxDays: number;
      batchMaxBytes: number;
      batchMaxRows: number;
      batchLowConfidence: number;
      /** Production without DATABASE_URL: shown in the footer, since the data may not survive a restart. */
      ephemeralDatabase: boolean;
    };
  }
}

export {};
