// Accounts: register, log in (cookie for the browser, bearer token for scripts), log out, current user.
import { z } from "zod/v4";
import { wrongType } from "../../validation.ts";
import { EmailSchema, MAX_PASSWORD_LENGTH } from "../../auth/authService.server.ts";
import { serializeBlankSessionCookie, serializeSessionCookie } from "../../auth/sessionCookie.server.ts";
import { protectedProcedure, publicProcedure, router } from "../trpc.server.ts";

const PasswordSchema = z.string(wrongType("Password must be text")).min(1, "Enter your password").max(MAX_PASSWORD_LENGTH * 4, "Password is too long");
const LocaleSchema = z.enum(["vi", "en"]).default("vi");

const Credentials = z.object({ email: EmailSchema, password: PasswordSchema });

export const authRouter = router({
  register: publicProcedure
    .input(Credentials.extend({ locale: LocaleSchema }))
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.services.auth.register(input.email, input.password, input.locale, ctx.clientIp, ctx.budget.report);
      const issued = await ctx.services.auth.createSession(user.id, ctx.transport === "remix" ? "cookie" : "bearer");
      if (ctx.transport === "remix") ctx.setCookie(serializeSessionCookie(issued.token, issued.expiresAt, ctx.secure));
      return { user, ...(ctx.transport === "http" ? { token: issued.token } : {}), expiresAt: issued.expiresAt.toISOString() };
    }),

  /** Over /api/trpc returns a bearer token; from the web UI sets the session cookie instead. */
  login: publicProcedure.input(Credentials).mutation(async ({ ctx, input }) => {
    const user = await ctx.services.auth.verifyCredentials(input.email, input.password, ctx.clientIp, ctx.budget.report);
    const issued = await ctx.services.auth.createSession(user.id, ctx.transport === "remix" ? "cookie" : "bearer");
    if (ctx.transport === "remix") ctx.setCookie(serializeSessionCookie(issued.token, issued.expiresAt, ctx.secure));
    return { user, ...(ctx.transport === "http" ? { token: issued.token } : {}), expiresAt: issued.expiresAt.toISOString() };
  }),

  /** Revokes the session or token the request was made with. */
  logout: protectedProcedure.mutation(async ({ ctx }) => {
    await ctx.services.auth.invalidateSession(ctx.session.id);
    if (ctx.session.kind === "cookie") ctx.setCookie(serializeBlankSessionCookie(ctx.secure));
    return { ok: true as const };
  }),

  me: publicProcedure.query(({ ctx }) =>
    ctx.user && ctx.session ? { user: ctx.user, sessionExpiresAt: ctx.session.expiresAt.toISOString(), authMethod: ctx.session.kind } : null,
  ),
});
