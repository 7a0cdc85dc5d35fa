// Request body limits counted on the bytes as they arrive, so a body without Content-Length (chunked) cannot
// be read whole: past the limit the rest is dropped unread, the client gets 413 (a page for a browser, JSON
// otherwise) with `Connection: close`, and the connection is closed. A route that takes larger bodies
// (uploads) mounts `bodyLimit(itsBytes)` on its path BEFORE the app-wide one: the first limit a request meets holds.
import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { errorBody } from "../errors.ts";
import { formatNumber, translate, type Lang } from "#common/i18n/messages.ts";

const LIMITED = Symbol("bodyLimit");
/** How long a refused connection keeps reading (and dropping) what the client still sends, so the 413 reaches it. */
const LINGER_MS = 2_000;

type LimitedRequest = IncomingMessage & { [LIMITED]?: true };

export function bodyLimit(maxBytes: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const limited = req as LimitedRequest;
    if (limited[LIMITED]) return next();
    limited[LIMITED] = true;
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBytes) return refuse(req, res, declared, maxBytes);
    let received = 0;
    let refused = false;
    // Every byte the HTTP parser hands the request passes through push(), however the body is later read.
    const push = req.push.bind(req);
    req.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (refused) return true;
      if (chunk !== null && chunk !== undefined) {
        received += (chunk as Buffer).length;
        if (received > maxBytes) {
          refused = true;
          refuse(req, res, received, maxBytes);
          return true;
        }
      }
      return push(chunk, encoding);
    };
    next();
  };
}

function refuse(req: Request, res: Response, sent: number, limit: number): void {
  const socket = req.socket;
  if (!res.headersSent) {
    res.status(413).set("Connection", "close");
    // a form posted without JavaScript lands on this answer, so a browser gets a page rather than JSON
    if (req.accepts(["json", "html"]) === "html") res.type("html").send(bodyTooLargePage(sent, limit));
    else res.json(errorBody("PAYLOAD_TOO_LARGE", `Request body too large: ${sent > limit ? `more than ${limit}` : sent} bytes, the limit is ${limit}`, "error.bodyTooLarge"));
  }
  // Whoever was reading the body is left waiting; closing the connection ends it (and frees the request).
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  res.once("finish", () => socket.end());
}

/** The 413 answer to a browser, in both languages (no JavaScript can be assumed: the form was posted without it). */
function bodyTooLargePage(sent: number, limit: number): string {
  const mb = (lang: Lang, bytes: number) => formatNumber(lang, bytes / 1_000_000, 1);
  const section = (lang: Lang) =>
    `<section lang="${lang}"><h1>${translate(lang, "error.bodyTooLarge")}</h1><p>${translate(lang, "error.bodyTooLargeDetail", { sent: mb(lang, sent), limit: mb(lang, limit) })}</p></section>`;
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${translate("vi", "error.bodyTooLarge")}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
${section("vi")}${section("en")}<p><a href="/">${translate("vi", "nav.analyse")} · ${translate("en", "nav.analyse")}</a></p></body></html>`;
}
