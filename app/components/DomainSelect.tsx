// The domain whose aspects to read: auto (picked from the text) or one of the aspect model's domains.
import { useLang } from "../useLang.ts";

export function DomainSelect({ domains, defaultValue = "auto" }: { domains: { id: string; name_vi: string; name_en: string }[]; defaultValue?: string }) {
  const { t, lang } = useLang();
  return (
    <label className="flex items-center gap-2 text-sm">
      <span>{t("aspects.domain")}</span>
      <select name="domain" defaultValue={defaultValue} data-testid="domain-select" className="rounded-md border border-slate-300 px-2 py-1">
        <option value="auto">{t("aspects.auto")}</option>
        {domains.map((d) => (
          <option key={d.id} value={d.id}>{lang === "vi" ? d.name_vi : d.name_en}</option>
        ))}
      </select>
    </label>
  );
}
