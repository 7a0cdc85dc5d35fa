// Cross-site request protection for cookie-authenticated writes: the Origin (or Referer) must be this host.
import type { NextFunction, Request, Response } from "express";
import { SESSION_COOKIE_NAME } from "../auth/authService.server.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function sameHost(url: string | undefined, host: string | undefined): boolean | null {
  if (!url) return null;
  try {
    return new URL(url).host === host;
  } catch {
    return false;
  }
}

export function originCheck(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || req.headers.authorization) return next();
  const host = req.headers["x-forwarded-host"] && req.app.get("trust proxy") ? String(req.headers["x-forwarded-host"]) : req.headers.host;
  const verdict = sameHost(req.headers.origin, host) ?? sameHost(req.headers.referer, host);
  const hasSessionCookie = (req.headers.cookie ?? "").includes(`${SESSION_COOKIE_NAME}=`);
  // A foreign Origin is always refused; a missing one only matters when a session cookie would authorise the write.
  if (verdict === false || (verdict === null && hasSessionCookie)) {
    res.status(403).json({ error: { message: "Cross-site request refused: the Origin header does not match this site", messageKey: "error.badOrigin" } });
    return;
  }
  next();
}
