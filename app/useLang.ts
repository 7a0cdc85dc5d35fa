// The current language and a translate function bound to it, from the root loader's data.
import { useRouteLoaderData } from "@remix-run/react";
import { translate, type Lang } from "./i18n.ts";

export function useLang(): { lang: Lang; t: (key: string, params?: Record<string, string | number>) => string } {
  const data = useRouteLoaderData<{ lang: Lang }>("root");
  const lang = data?.lang ?? "vi";
  return { lang, t: (key, params) => translate(lang, key, params) };
}
