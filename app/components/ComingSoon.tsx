import { useLang } from "../useLang.ts";

/** A page of the product's URL map whose feature lands in a later issue. */
export function ComingSoon({ titleKey }: { titleKey: string }) {
  const { t } = useLang();
  return (
    <section>
      <h1 className="mb-2 text-2xl font-semibold">{t(titleKey)}</h1>
      <p className="text-slate-600">{t("page.comingSoon")}</p>
    </section>
  );
}
