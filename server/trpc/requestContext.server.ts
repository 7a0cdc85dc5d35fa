// Builds the tRPC context for one request: resolves the user from the bearer header or the session cookie.
import { readAuthorization } from "../auth/authService.server.ts";
import { readSessionCookie, serializeBlankSessionCookie, serializeSessionCookie } from "../auth/sessionCookie.server.ts";
import { RequestBudget } from "../rateLimit/requestBudget.server.ts";
import type { AppServices } from "../services.server.ts";
import { AppError } from "../errors.ts";
import { createContextInner, toTRPCError, type Context, type Transport } from "./trpc.server.ts";

function invalidTokenError() {
  return toTRPCError(
    new AppError("UNAUTHORIZED", "auth.invalidToken", "The bearer token is invalid, expired or revoked: log in again or create a new API token"),
  );
}

function unsupportedSchemeError(scheme: string) {
  return toTRPCError(
    new AppError("UNAUTHORIZED", "auth.unsupportedScheme", `The Authorization scheme "${scheme.slice(0, 20)}" is not accepted: send Authorization: Bearer <token> (a login token or an API token)`),
  );
}

export type RequestFacts = {
  authorization: string | undefined;
  cookie: string | undefined;
  clientIp: string;
  secure: boolean;
  transport: Transport;
  setCookie: (cookie: string) => void;
};

export async function createRequestContext(services: AppServices, facts: RequestFacts): Promise<Context> {
  const authorization = readAuthorization(facts.authorization);
  const bearer = authorization?.bearer ?? null;
  // An API client that sends Basic or Token credentials would otherwise be answered anonymously (its
  // predictions not stored) without knowing why. Pages ignore other schemes: a proxy's Basic auth in front
  // of the app reaches every page the browser loads.
  if (authorization && !bearer && facts.transport === "http") throw unsupportedSchemeError(authorization.scheme);
  const cookieToken = bearer ? null : readSessionCookie(facts.cookie);
  const validate = (token: string, from: "bearer" | "cookie") =>
    services.auth.validateToken(token, from).catch((error: unknown) => {
      const unavailable = services.databaseOutage.classify(error);
      if (unavailable) throw toTRPCError(unavailable);
      throw error;
    });
  const resolved = bearer ? await validate(bearer, "bearer") : cookieToken ? await validate(cookieToken, "cookie") : null;
  // A script that presents a token expects to act as its owner: carrying on anonymously would hide the
  // problem (predictions answered but not stored), so a bad token is refused wherever it is presented.
  if (bearer && !resolved) throw invalidTokenError();
  if (cookieToken && !resolved) facts.setCookie(serializeBlankSessionCookie(facts.secure));
  if (cookieToken && resolved?.session.fresh && resolved.session.expiresAt) {
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
