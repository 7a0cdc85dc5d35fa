import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { LANG_COOKIE, parseLang } from "#common/i18n/messages.ts";
import { safeRedirectPath } from "../safeRedirect.ts";

export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const lang = parseLang(String(form.get("lang") ?? ""));
  const to = safeRedirectPath(form.get("redirectTo"));
  return redirect(to, { headers: { "Set-Cookie": `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax` } });
}

export const loader = () => redirect("/");
