// CORS for /api: off unless CORS_ORIGINS lists the origins whose browser apps may call the API (bearer tokens only, never cookies).
import type { NextFunction, Request, Response } from "express";

const ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS";
const ALLOWED_HEADERS = "Authorization, Content-Type";
const EXPOSED_HEADERS = "Retry-After, RateLimit, RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

export function cors(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    res.vary("Origin");
    if (!origin || !allowed.has(origin)) return next();
    // No Allow-Credentials: another site's page must authenticate with a token, never ride on our session cookie.
    res.set({ "Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSED_HEADERS });
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"]) {
      res.set({ "Access-Control-Allow-Methods": ALLOWED_METHODS, "Access-Control-Allow-Headers": ALLOWED_HEADERS, "Access-Control-Max-Age": PREFLIGHT_MAX_AGE_SECONDS });
      res.status(204).end();
      return;
    }
    next();
  };
}
