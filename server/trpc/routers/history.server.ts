// The signed-in user's own predictions: list (search, label filter, pages) and delete.
import { z } from "zod/v4";
import { wrongType } from "../../validation.ts";
import { AppError } from "../../errors.ts";
import { deletePrediction, listHistory } from "../../predictions/predictionHistory.server.ts";
import { HistoryPageOutput } from "../outputSchemas.server.ts";
import { protectedProcedure, router } from "../trpc.server.ts";

const ListInput = z
  .object({
    search: z.string(wrongType("search must be a string")).default(""),
    label: z.string(wrongType("label must be a string")).trim().max(64, "label is too long").nullish(),
    cursor: z.string(wrongType("cursor must be a string")).max(200, "cursor is not one this server gave out").nullish(),
    limit: z.number(wrongType("limit must be a number")).int("limit must be a whole number").min(1, "limit must be at least 1").optional(),
    // "true"/"false" too: REST passes it in the query string, where a plain boolean would be coerced ("false" is truthy).
    withCounts: z
      .union([z.boolean(), z.enum(["true", "false"])], wrongType("withCounts must be true or false"))
      .transform((v) => v === true || v === "true")
      .default(true),
  })
  .prefault({});

export const historyRouter = router({
  list: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/history", tags: ["history"], summary: "Your analysed texts, newest first (Lịch sử phân tích); search ignores accents", errorResponses: [400, 401] } })
    .input(ListInput)
    .output(HistoryPageOutput)
    .query(({ ctx, input }) => {
    const { HISTORY_PAGE_SIZE, HISTORY_MAX_PAGE_SIZE, SEARCH_MAX_CHARS } = ctx.services.config;
    if (input.search.length > SEARCH_MAX_CHARS) {
      throw new AppError("BAD_REQUEST", "history.searchTooLong", `search is too long: ${input.search.length} characters, the limit is ${SEARCH_MAX_CHARS}`, "search");
    }
    if (input.limit !== undefined && input.limit > HISTORY_MAX_PAGE_SIZE) {
      throw new AppError("BAD_REQUEST", "history.limitTooLarge", `limit ${input.limit} is too large: at most ${HISTORY_MAX_PAGE_SIZE} per page`, "limit");
    }
    return listHistory(ctx.services.db.prisma, ctx.user.id, {
      search: input.search,
      label: input.label || null,
      cursor: input.cursor || null,
      limit: input.limit ?? HISTORY_PAGE_SIZE,
      withCounts: input.withCounts,
    });
  }),

  delete: protectedProcedure
    .meta({ openapi: { method: "DELETE", path: "/history/{id}", tags: ["history"], summary: "Delete one of your results (Xoá một kết quả); another user's is 404", errorResponses: [400, 401, 404] } })
    .output(z.object({ deleted: z.string() }))
    .input(z.object({ id: z.string(wrongType("id must be a string")).uuid("id is not a prediction id") }))
    .mutation(async ({ ctx, input }) => {
      await deletePrediction(ctx.services.db.prisma, ctx.user.id, input.id);
      return { deleted: input.id };
    }),
});
