// Builds the tRPC context for one request: resolves the user from the bearer header or the session cookie.
import { readSessionCookie, serializeBlankSessionCookie, serializeSessionCookie } from "../auth/sessionCookie.server.ts";
import { TRPCError } from "@trpc/server";
import { RequestBudget } from "../rateLimit/requestBudget.server.ts";
import type { AppServices } from "../services.server.ts";
import { createContextInner, type Context, type Transport } from "./trpc.server.ts";

export type RequestFacts = {
  authorization: string | undefined;
  cookie: string | undefined;
  clientIp: string;
  secure: boolean;
  transport: Transport;
  setCookie: (cookie: string) => void;
};

export async function createRequestContext(services: AppServices, facts: RequestFacts): Promise<Context> {
  const bearer = services.auth.readBearerToken(facts.authorization);
  const cookieToken = bearer ? null : readSessionCookie(facts.cookie);
  const token = bearer ?? cookieToken;
  const resolved = token ? await services.auth.validateToken(token).catch((error: unknown) => {
    const unavailable = services.databaseOutage.classify(error);
    if (unavailable) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: unavailable.message, cause: unavailable });
    throw error;
  }) : null;
  if (cookieToken && !resolved) facts.setCookie(serializeBlankSessionCookie(facts.secure));
  if (cookieToken && resolved?.session.fresh) {
    // Lucia renewed the session (sliding expiry): send the cookie again with the new expiry.
    facts.setCookie(serializeSessionCookie(cookieToken, resolved.session.expiresAt, facts.secure));
  }
  return createContextInner({
    services,
    user: resolved?.user ?? null,
    session: resolved?.session ?? null,
    clientIp: facts.clientIp,
    transport: facts.transport,
    secure: facts.secure,
    setCookie: facts.setCookie,
    budget: new RequestBudget(services.config.MAX_TEXTS_PER_REQUEST),
  });
}
