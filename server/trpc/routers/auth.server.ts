// Accounts: register, log in (cookie for the browser, bearer token for scripts), log out, current user.
import { z } from "zod/v4";
import { wrongType } from "../../validation.ts";
import { EmailSchema, MAX_PASSWORD_LENGTH } from "../../auth/authService.server.ts";
import { serializeBlankSessionCookie, serializeSessionCookie } from "../../auth/sessionCookie.server.ts";
import { IssuedTokenOutput, OkOutput, UserOutput } from "../outputSchemas.server.ts";
import { protectedProcedure, publicProcedure, router } from "../trpc.server.ts";

export const PasswordSchema = z.string(wrongType("Password must be text")).min(1, "Enter your password").max(MAX_PASSWORD_LENGTH * 4, "Password is too long");
const LocaleSchema = z.enum(["vi", "en"]).default("vi");

const Credentials = z
  .object({ email: EmailSchema, password: PasswordSchema })
  .meta({ examples: [{ email: "lan.nguyen@example.com", password: "mật-khẩu-dài" }] });

export const authRouter = router({
  register: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/register", tags: ["auth"], summary: "Create an account (Tạo tài khoản); answers a bearer token", protect: false, errorResponses: [400, 409, 413, 415, 429] } })
    .input(Credentials.extend({ locale: LocaleSchema }).meta({ examples: [{ email: "lan.nguyen@example.com", password: "mật-khẩu-dài", locale: "vi" }] }))
    .output(IssuedTokenOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.services.auth.register(input.email, input.password, input.locale, ctx.clientIp, ctx.budget.report);
      const issued = await ctx.services.auth.createSession(user.id, ctx.transport === "remix" ? "cookie" : "bearer");
      if (ctx.transport === "remix") ctx.setCookie(serializeSessionCookie(issued.token, issued.expiresAt, ctx.secure));
      return { user, ...(ctx.transport === "http" ? { token: issued.token } : {}), expiresAt: issued.expiresAt.toISOString() };
    }),

  /** Over /api/trpc and REST returns a bearer token; from the web UI sets the session cookie instead. */
  login: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/login", tags: ["auth"], summary: "Log in (Đăng nhập); answers a bearer token and its expiry", protect: false, errorResponses: [400, 401, 413, 415, 429] } })
    .input(Credentials)
    .output(IssuedTokenOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.services.auth.verifyCredentials(input.email, input.password, ctx.clientIp, ctx.budget.report);
      const issued = await ctx.services.auth.createSession(user.id, ctx.transport === "remix" ? "cookie" : "bearer");
      if (ctx.transport === "remix") ctx.setCookie(serializeSessionCookie(issued.token, issued.expiresAt, ctx.secure));
      return { user, ...(ctx.transport === "http" ? { token: issued.token } : {}), expiresAt: issued.expiresAt.toISOString() };
    }),

  /** Revokes the session or token the request was made with (a personal API token included). */
  logout: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/auth/logout", tags: ["auth"], summary: "Revoke the token this request was made with (Đăng xuất)", errorResponses: [401] } })
    .output(OkOutput)
    .mutation(async ({ ctx }) => {
      if (ctx.session.kind === "apiToken") await ctx.services.apiTokens.revoke(ctx.user.id, ctx.session.id);
      else await ctx.services.auth.invalidateSession(ctx.session.id);
      if (ctx.session.kind === "cookie") ctx.setCookie(serializeBlankSessionCookie(ctx.secure));
      return { ok: true as const };
    }),

  me: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/auth/me", tags: ["auth"], summary: "Who this token belongs to (Tài khoản hiện tại)", errorResponses: [401] } })
    .output(
      z.object({
        user: UserOutput,
        sessionExpiresAt: z.string().nullable().meta({ description: "When the session or token expires; null for an API token without expiry" }),
        authMethod: z.enum(["cookie", "bearer", "apiToken"]),
      }),
    )
    .query(({ ctx }) => ({ user: ctx.user, sessionExpiresAt: ctx.session.expiresAt?.toISOString() ?? null, authMethod: ctx.session.kind })),
});
