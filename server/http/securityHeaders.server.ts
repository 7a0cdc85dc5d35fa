// Security headers on every answer (helmet): a Content-Security-Policy whose inline scripts need this response's
// nonce, frame-ancestors that keep the Hugging Face Spaces iframe working, nosniff and a Referrer-Policy.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import helmet from "helmet";

/** Where the app may be framed: itself and Hugging Face (huggingface.co embeds a Space from *.hf.space). */
export const FRAME_ANCESTORS = ["'self'", "https://huggingface.co", "https://*.hf.space"];

export function securityHeaders(): RequestHandler[] {
  const nonce = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${(res as Response).locals.cspNonce as string}'`;
  return [
    (_req: Request, res: Response, next: NextFunction) => {
      res.locals.cspNonce = randomBytes(16).toString("base64");
      next();
    },
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", nonce],
          // React writes style attributes and ECharts sets styles on its elements; no script can come in this way.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:", "blob:"],
          fontSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: FRAME_ANCESTORS,
        },
      },
      // X-Frame-Options cannot name huggingface.co; frame-ancestors above is what browsers follow.
      frameguard: false,
      // The Space's page embeds us cross-origin: same-origin opener/resource policies would break it.
      crossOriginOpenerPolicy: false,
      crossOriginResourcePolicy: { policy: "cross-origin" },
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    }),
  ];
}
