// The current language, and translate and percent functions bound to it, from the root loader's data.
import { useRouteLoaderData } from "@remix-run/react";
import { formatNumber, translate, type Lang } from "#common/i18n/messages.ts";

export function useLang(): {
  lang: Lang;
  t: (key: string, params?: Record<string, string | number>) => string;
  /** A share in [0, 1] as a percent in the language's notation: "99,7%" / "99.7%". */
  percent: (share: number, digits?: number) => string;
} {
  const data = useRouteLoaderData<{ lang: Lang }>("root");
  const lang = data?.lang ?? "vi";
  return { lang, t: (key, params) => translate(lang, key, params), percent: (share, digits = 1) => `${formatNumber(lang, share * 100, digits)}%` };
}
