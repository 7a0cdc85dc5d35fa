// The whole API: feature routers assembled into one. Its type is what typed clients import.
import { accountRouter } from "./routers/account.server.ts";
import { authRouter } from "./routers/auth.server.ts";
import { batchRouter } from "./routers/batch.server.ts";
import { historyRouter } from "./routers/history.server.ts";
import { insightsRouter } from "./routers/insights.server.ts";
import { predictRouter } from "./routers/predict.server.ts";
import { tokensRouter } from "./routers/tokens.server.ts";
import { createCallerFactory, router } from "./trpc.server.ts";

export const appRouter = router({
  auth: authRouter,
  predict: predictRouter,
  history: historyRouter,
  insights: insightsRouter,
  tokens: tokensRouter,
  account: accountRouter,
  batch: batchRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;
