// Renders pages on the server (Remix's default node entry, trimmed) with the request's Content-Security-Policy
// nonce on every inline script React and Remix write.
import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer, isRouteErrorResponse } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { actionErrorOf, INTERNAL_ACTION_ERROR } from "#common/actionError.ts";
import { CspNonceContext } from "./cspNonce.ts";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  // Crawlers get the whole page at once; browsers get the shell as soon as it is ready.
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html");
      resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <CspNonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </CspNonceContext.Provider>,
      {
        nonce,
        ...(waitForAll ? { onAllReady: ready } : { onShellReady: ready }),
        onShellError: reject,
        onError(error: unknown) {
          responseStatusCode = 500;
          // before the shell, the error reaches handleError; a visitor who left mid-stream is not an error
          if (shellRendered && !request.signal.aborted) {
            loadContext.logger.error({ err: error, method: request.method, path: new URL(request.url).pathname }, "page failed while streaming");
          }
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/**
 * What Remix caught in a loader, an action or its own routing, to the server's logger (Remix's default writes a
 * stack trace on stderr, outside the JSON lines and without the request id, for any visitor's POST to a page
 * without a form).
 */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  // the connection closed before the answer was sent (the visitor left, or a shutdown cut it at its deadline)
  if (request.signal.aborted) return;
  const path = new URL(request.url).pathname;
  // Remix's own refusals (a POST to a page without a form, a data request for no route): the visitor's mistake,
  // already in the request line with its status
  if (isRouteErrorResponse(error)) {
    context.logger.debug({ status: error.status, method: request.method, path, reason: String(error.data) }, "page refused the request");
    return;
  }
  const converted = actionErrorOf(error);
  // an internal error the server's caller converted: it logged it already
  if (converted?.messageKey === INTERNAL_ACTION_ERROR.messageKey) return;
  if (converted) {
    // a refusal (bad input, not signed in, rate limit) that the page did not handle: it shows as a 500
    context.logger.warn({ status: converted.status, messageKey: converted.messageKey, method: request.method, path }, "page did not handle a refused call");
    return;
  }
  context.logger.error({ err: error, method: request.method, path }, "page failed");
};
