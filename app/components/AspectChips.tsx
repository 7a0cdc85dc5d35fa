// The aspects a text speaks of, one chip each coloured by its polarity, named in the reader's language.
import { labelBadgeClass } from "../labels.ts";
import { useLang } from "../useLang.ts";

export type AspectChip = { aspect: string; polarity: string; confidence: number; name_vi: string; name_en: string };

export function AspectChips({ aspects, domain, domainName }: { aspects: AspectChip[]; domain: string | null; domainName?: string }) {
  const { t, lang, percent } = useLang();
  if (domain === null) return null;
  return (
    <div className="mt-3" data-testid="aspect-chips" data-domain={domain}>
      <h3 className="text-sm text-slate-500">{t("aspects.found", { domain: domainName ?? domain })}</h3>
      {aspects.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="aspect-none">{t("aspects.none")}</p>
      ) : (
        <ul className="mt-1 flex flex-wrap gap-2">
          {aspects.map((a) => (
            <li key={a.aspect} data-testid="aspect-chip" data-aspect={a.aspect} data-polarity={a.polarity}
              title={`${lang === "vi" ? a.name_en : a.name_vi} · ${a.aspect}`}
              className={`rounded-full px-3 py-1 text-sm font-medium ${labelBadgeClass(a.polarity)}`}>
              {lang === "vi" ? a.name_vi : a.name_en}: {t(`label.${a.polarity}`)} <span className="font-normal tabular-nums">{percent(a.confidence, 0)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A domain's name in the reader's language (the id when the list does not have it). */
export function domainName(domains: { id: string; name_vi: string; name_en: string }[] | undefined, id: string | null, lang: string): string | undefined {
  const domain = domains?.find((d) => d.id === id);
  return domain ? (lang === "vi" ? domain.name_vi : domain.name_en) : id ?? undefined;
}
