// The login and register pages share their loader and action; only the procedure they call differs.
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { toActionError, type ActionError } from "./actionErrors.server.ts";
import { langFromCookieHeader } from "#common/i18n/messages.ts";
import { safeRedirectPath } from "./safeRedirect.ts";

export async function authAction({ request, context }: ActionFunctionArgs, mode: "login" | "register") {
  const form = await request.formData();
  const email = String(form.get("email") ?? "");
  const password = String(form.get("password") ?? "");
  const fail = (error: ActionError) => json({ error, email }, { status: error.status });
  if (!email.trim()) return fail({ messageKey: "auth.emailRequired", params: {}, field: "email", status: 400 });
  if (!password) return fail({ messageKey: "auth.passwordRequired", params: {}, field: "password", status: 400 });
  try {
    if (mode === "login") await context.caller.auth.login({ email, password });
    else await context.caller.auth.register({ email, password, locale: langFromCookieHeader(request.headers.get("Cookie")) });
  } catch (error) {
    return fail(toActionError(error));
  }
  // The caller put the session cookie on the response already (see server/http/app.server.ts).
  return redirect(safeRedirectPath(form.get("redirectTo")));
}

export function authLoader({ context }: LoaderFunctionArgs) {
  if (context.user) return redirect("/");
  return json({ minPasswordLength: context.config.minPasswordLength });
}
