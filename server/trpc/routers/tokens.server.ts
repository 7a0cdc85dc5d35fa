// Personal API tokens of the signed-in user: list, create (the secret is shown once), revoke.
import { z } from "zod/v4";
import { AppError } from "../../errors.ts";
import { wrongType } from "../../validation.ts";
import { ApiTokenOutput } from "../outputSchemas.server.ts";
import { protectedProcedure, router } from "../trpc.server.ts";

const CreateInput = z
  .object({
    name: z.string(wrongType("name must be a string")).trim().min(1, "Give the token a name"),
    expiresInDays: z
      .number(wrongType("expiresInDays must be a number or null"))
      .int("expiresInDays must be a whole number")
      .min(1, "expiresInDays must be at least 1")
      .nullable()
      .prefault(null)
      .meta({ description: "Days until it stops working; null or absent: until revoked" }),
  })
  .meta({ examples: [{ name: "Báo cáo hằng đêm", expiresInDays: 90 }] });

export const tokensRouter = router({
  list: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/tokens", tags: ["tokens"], summary: "Your API tokens (Danh sách API token), revoked and expired ones included", errorResponses: [401] } })
    .output(z.object({ tokens: z.array(ApiTokenOutput) }))
    .query(async ({ ctx }) => ({ tokens: await ctx.services.apiTokens.list(ctx.user.id) })),

  create: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/tokens", tags: ["tokens"], summary: "Create an API token (Tạo API token); the secret is in this answer only", errorResponses: [400, 401, 403, 409, 413, 415] } })
    .input(CreateInput)
    .output(ApiTokenOutput.extend({ token: z.string().meta({ description: "The secret: shown once, store it now", examples: ["cxk_3q2Z…"] }) }))
    .mutation(async ({ ctx, input }) => {
      // A leaked token must not be able to mint a replacement that outlives its revocation.
      if (ctx.session.kind === "apiToken") throw new AppError("FORBIDDEN", "tokens.notWithToken", "An API token cannot create other tokens: log in with your password first");
      const maxChars = ctx.services.config.API_TOKEN_NAME_MAX_CHARS;
      if (input.name.length > maxChars) throw new AppError("BAD_REQUEST", "tokens.nameTooLong", `name is too long: ${input.name.length} characters, the limit is ${maxChars}`, "name");
      const { token, info } = await ctx.services.apiTokens.create(ctx.user.id, input.name, input.expiresInDays);
      return { ...info, token };
    }),

  revoke: protectedProcedure
    .meta({ openapi: { method: "DELETE", path: "/tokens/{id}", tags: ["tokens"], summary: "Revoke an API token (Thu hồi token); it stops working at once", errorResponses: [400, 401, 404] } })
    .input(z.object({ id: z.string(wrongType("id must be a string")).uuid("id is not a token id") }))
    .output(ApiTokenOutput)
    .mutation(({ ctx, input }) => ctx.services.apiTokens.revoke(ctx.user.id, input.id)),
});
