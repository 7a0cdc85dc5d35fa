import { labelBarClass } from "../labels.ts";
import { useLang } from "../useLang.ts";

/** One bar split by label, each part as wide as its share: the mix at a glance. */
export function LabelShareBar({ labels, counts }: { labels: string[]; counts: Record<string, number> }) {
  const { t } = useLang();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const summary = labels.map((l) => `${t(`label.${l}`)}: ${counts[l] ?? 0}`).join(" · ");
  return (
    <div className="flex h-3 overflow-hidden rounded-full bg-slate-200" role="img" aria-label={`${t("labels.share")}: ${summary}`} title={summary}>
      {labels.map((l) => (counts[l] ? <span key={l} className={labelBarClass(l)} style={{ width: `${(100 * counts[l]!) / total}%` }} /> : null))}
    </div>
  );
}
