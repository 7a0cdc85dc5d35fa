// The dashboard's figures about the signed-in user's own predictions.
import { historyInsights } from "../../insights/historyInsights.server.ts";
import { InsightsOutput } from "../outputSchemas.server.ts";
import { protectedProcedure, router } from "../trpc.server.ts";

export const insightsRouter = router({
  overview: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/insights", tags: ["history"], summary: "Figures about your history (Tổng quan): label shares, per day, distinctive words, aspect shares", errorResponses: [401] } })
    .output(InsightsOutput)
    .query(({ ctx }) => {
    const { DASHBOARD_DAYS, WORDCLOUD_MAX_TEXTS, WORDCLOUD_TERMS } = ctx.services.config;
    return historyInsights(ctx.services.db.prisma, ctx.services.terms, ctx.user.id, {
      days: DASHBOARD_DAYS,
      maxTexts: WORDCLOUD_MAX_TEXTS,
      termsPerLabel: WORDCLOUD_TERMS,
    });
  }),
});
