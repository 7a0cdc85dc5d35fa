import { Link, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { isMessageKey, type MessageKey } from "#common/i18n/messages.ts";
import { useLang } from "../useLang.ts";

/** What a person reads for an HTTP status (the status text itself is English-only). */
function errorMessageKey(status: number): MessageKey {
  if (status === 401) return "auth.loginRequired";
  if (status === 403) return "error.forbidden";
  if (status === 404) return "error.notFound";
  if (status === 413) return "error.bodyTooLarge";
  if (status === 429) return "error.tooManyRequests";
  return status < 500 ? "error.invalidInput" : "error.internal";
}

/** The error boundaries' page: the status and a translated explanation, with a way back. */
export function ErrorPage() {
  const error = useRouteError();
  const { t } = useLang();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  // A thrown Response may name its message (the database's 503 does).
  const named: unknown = isRouteErrorResponse(error) ? (error.data as { messageKey?: unknown } | null)?.messageKey : undefined;
  const messageKey = typeof named === "string" && isMessageKey(named) ? named : errorMessageKey(status);
  return (
    <div className="mx-auto max-w-lg p-8 text-center">
      <h1 className="text-2xl font-bold">{status === 404 ? t("error.notFound") : t("error.title")}</h1>
      <p className="mt-2 text-slate-600" data-testid="error-message">{`${status} · ${t(messageKey)}`}</p>
      <Link to="/" className="mt-4 inline-block text-orange-700 underline">{t("nav.analyse")}</Link>
    </div>
  );
}
