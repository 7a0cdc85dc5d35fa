import { labelBarClass } from "../labels.ts";
import { useLang } from "../useLang.ts";

/** Horizontal bars, one per class: quicker to read than a table of numbers. */
export function ProbabilityBars({ probabilities }: { probabilities: Record<string, number> }) {
  const { t, percent } = useLang();
  return (
    <ul className="space-y-2" aria-label={t("predict.confidence")}>
      {Object.entries(probabilities).map(([label, p]) => (
        <li key={label} className="grid grid-cols-[6.5rem_1fr_3.5rem] items-center gap-2 text-sm" data-testid={`prob-${label}`}>
          <span>{t(`label.${label}`)}</span>
          <span className="h-3 overflow-hidden rounded-full bg-slate-200">
            <span className={`block h-full ${labelBarClass(label)}`} style={{ width: `${(p * 100).toFixed(1)}%` }} />
          </span>
          <span className="text-right tabular-nums">{percent(p)}</span>
        </li>
      ))}
    </ul>
  );
}
