// Page titles in the visitor's language, read from the root loader's data (meta functions cannot use hooks).
import type { MetaFunction } from "@remix-run/node";
import { parseLang, translate, type MessageKey } from "#common/i18n/messages.ts";

/** `page` titles a page as "<page> · Cảm xúc"; without it, the site's own title. */
export function titleMeta(page?: MessageKey): MetaFunction {
  return ({ matches }) => {
    const rootData = matches.find((match) => match.id === "root")?.data as { lang?: string } | undefined;
    const lang = parseLang(rootData?.lang);
    return [{ title: page ? `${translate(lang, page)} · ${translate(lang, "app.name")}` : translate(lang, "meta.home") }];
  };
}
