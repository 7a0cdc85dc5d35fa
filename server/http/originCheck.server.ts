// Cross-site request protection for cookie-authenticated writes: the Origin (or Referer) must be this site,
// scheme and host (with port) both.
import type { NextFunction, Request, Response } from "express";
import { readAuthorization, SESSION_COOKIE_NAME } from "../auth/authService.server.ts";
import { errorBody } from "../errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const REFUSED_PAGE = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>403 · Cảm xúc</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;text-align:center">
<h1>Yêu cầu từ trang khác bị từ chối</h1><p>Chúng tôi không xác nhận được rằng biểu mẫu này được gửi từ chính trang Cảm xúc, nên đã không thực hiện nó. Hãy mở lại trang và thử lại.</p>
<p lang="en">Cross-site request refused: we could not confirm that this form was sent from this site, so it was not carried out. Open the page again and retry.</p>
<p><a href="/">Cảm xúc</a></p></body></html>`;

function sameOrigin(url: string | undefined, origin: string): boolean | null {
  if (!url) return null;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** `trustedOrigins`: the CORS allow-list, whose apps may post to the API from their own origin. */
export const originCheck = (trustedOrigins: readonly string[] = []) => (req: Request, res: Response, next: NextFunction): void => {
  if (SAFE_METHODS.has(req.method)) return next();
  // The exemptions are the API's. Pages are for this site's own forms, and Remix refuses a foreign Origin on a
  // page itself, with a bare 500: refused here, it gets the readable 403.
  // (case-insensitive, as Express routes: /API/trpc reaches the API too)
  const api = /^\/api(\/|$)/i.test(req.path);
  // Only a bearer token exempts a write: with one the cookie is never read (a bad token is a 401). Any other
  // scheme (Basic ...) leaves the cookie signing the request in, so it is checked like any cookie write.
  if (api && readAuthorization(req.headers.authorization)?.bearer) return next();
  if (api && req.headers.origin && trustedOrigins.includes(req.headers.origin)) return next();
  const host = req.headers["x-forwarded-host"] && req.app.get("trust proxy") ? String(req.headers["x-forwarded-host"]).split(",")[0]!.trim() : req.headers.host;
  // req.protocol is https behind a trusted proxy that says so (X-Forwarded-Proto), else what the socket is.
  const origin = `${req.protocol}://${host ?? ""}`;
  const verdict = sameOrigin(req.headers.origin, origin) ?? sameOrigin(req.headers.referer, origin);
  const hasSessionCookie = (req.headers.cookie ?? "").includes(`${SESSION_COOKIE_NAME}=`);
  // A foreign Origin is always refused; a missing one only matters when a session cookie would authorise the write.
  if (verdict === false || (verdict === null && hasSessionCookie)) {
    // A browser's form post gets a page a person can read (in both languages: the refusal comes before any
    // route knows the visitor's); scripts get JSON.
    if (req.accepts(["json", "html"]) === "html") {
      res.status(403).type("html").send(REFUSED_PAGE);
    } else {
      const message = "Cross-site request refused: the Origin (or Referer) header is missing or does not match this site";
      res.status(403).json(errorBody("FORBIDDEN", message, "error.badOrigin"));
    }
    return;
  }
  next();
};
