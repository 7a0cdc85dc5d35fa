// For pages that need an account: send visitors to /login and back here afterwards.
import { redirect, type AppLoadContext } from "@remix-run/node";

export function requireUser(request: Request, context: AppLoadContext) {
  if (context.user) return context.user;
  const url = new URL(request.url);
  throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
}
