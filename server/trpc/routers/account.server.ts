// The signed-in user's account: change the password, sign out everywhere, interface language, delete the account.
import { z } from "zod/v4";
import { serializeBlankSessionCookie } from "../../auth/sessionCookie.server.ts";
import { LANGUAGES } from "#common/i18n/messages.ts";
import { wrongType } from "../../validation.ts";
import { OkOutput } from "../outputSchemas.server.ts";
import { protectedProcedure, router } from "../trpc.server.ts";
import { PasswordSchema } from "./auth.server.ts";

export const accountRouter = router({
  changePassword: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/account/password", tags: ["account"], summary: "Change the password (Đổi mật khẩu); ends every other session and all API tokens", errorResponses: [400, 401, 403, 413, 415, 429] } })
    .input(
      z
        .object({ currentPassword: PasswordSchema, newPassword: z.string(wrongType("newPassword must be text")) })
        .meta({ examples: [{ currentPassword: "mật-khẩu-dài", newPassword: "mật-khẩu-mới-dài-hơn" }] }),
    )
    .output(OkOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.account.changePassword(ctx.user, ctx.session, input.currentPassword, input.newPassword, ctx.clientIp);
      return { ok: true as const };
    }),

  signOutEverywhere: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/account/sign-out-everywhere", tags: ["account"], summary: "End every session and revoke every API token, this one included (Đăng xuất khỏi mọi nơi); with an API token the password is required", errorResponses: [400, 401, 403, 429] } })
    .input(z.object({ password: PasswordSchema.optional() }).prefault({}))
    .output(OkOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.account.signOutEverywhere(ctx.user, ctx.session, input.password, ctx.clientIp);
      if (ctx.session.kind === "cookie") ctx.setCookie(serializeBlankSessionCookie(ctx.secure));
      return { ok: true as const };
    }),

  setLanguage: protectedProcedure
    .meta({ openapi: { method: "PUT", path: "/account/language", tags: ["account"], summary: "Interface language (Ngôn ngữ giao diện): vi or en", errorResponses: [400, 401, 413, 415] } })
    .input(z.object({ locale: z.enum(LANGUAGES, wrongType("locale must be vi or en")) }).meta({ examples: [{ locale: "vi" }] }))
    .output(z.object({ locale: z.enum(LANGUAGES) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.account.setLanguage(ctx.user.id, input.locale);
      return { locale: input.locale };
    }),

  delete: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/account/delete", tags: ["account"], summary: "Delete the account and everything it owns (Xoá tài khoản): predictions, batches, sessions, tokens", errorResponses: [400, 401, 403, 413, 415, 429] } })
    .input(z.object({ password: PasswordSchema }).meta({ examples: [{ password: "mật-khẩu-dài" }] }))
    .output(OkOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.account.deleteAccount(ctx.user, input.password, ctx.clientIp);
      if (ctx.session.kind === "cookie") ctx.setCookie(serializeBlankSessionCookie(ctx.secure));
      return { ok: true as const };
    }),
});
