// The batch page's aspect x sentiment chart: one diverging bar per aspect (negative to the left, neutral and
// positive to the right), most mentioned at the top; clicking a bar segment filters the rows to that aspect and polarity.
import { Chart } from "../charts/Chart.tsx";
import { labelHex } from "../labels.ts";
import { useLang } from "../useLang.ts";

export type AspectSummary = {
  aspect: string;
  name_vi: string;
  name_en: string;
  total: number;
  counts: { negative: number; neutral: number; positive: number };
  examples: Record<"negative" | "neutral" | "positive", { rowNumber: number; text: string; confidence: number }[]>;
};

const POLARITIES = ["negative", "neutral", "positive"] as const;
type Polarity = (typeof POLARITIES)[number];

type Counted = Omit<AspectSummary, "examples">;

export function AspectChart({ aspects, onPick, testId = "aspect-chart" }: { aspects: Counted[]; onPick?: (aspect: string, polarity: Polarity) => void; testId?: string }) {
  const { t, lang } = useLang();
  const name = (a: Counted) => (lang === "vi" ? a.name_vi : a.name_en);
  const seriesName = (p: Polarity) => t(`label.${p}`);
  const option = {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, valueFormatter: (v: number) => String(Math.abs(v)) },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (v: number) => String(Math.abs(v)) } },
    yAxis: { type: "category", data: aspects.map(name), inverse: true, axisTick: { show: false } },
    series: POLARITIES.map((p) => ({
      name: seriesName(p),
      type: "bar",
      stack: p === "negative" ? "left" : "right",
      itemStyle: { color: labelHex(p) },
      emphasis: { focus: "series" },
      label: { show: true, formatter: (v: { value: number }) => (v.value ? String(Math.abs(v.value)) : "") },
      data: aspects.map((a) => (p === "negative" ? -a.counts[p] : a.counts[p])),
    })),
  };
  const height = Math.max(160, 36 + aspects.length * 30);
  return (
    <div style={{ height }}>
      <Chart option={option} className="h-full" testId={testId}
        label={aspects.map((a) => `${name(a)}: ${POLARITIES.map((p) => `${seriesName(p)} ${a.counts[p]}`).join(", ")}`).join("; ")}
        onItemClick={(clicked, series) => {
          const aspect = aspects.find((a) => name(a) === clicked);
          const polarity = POLARITIES.find((p) => seriesName(p) === series);
          if (aspect && polarity) onPick?.(aspect.aspect, polarity);
        }} />
    </div>
  );
}

/** The three most confident rows per aspect and polarity, each linking to the filtered rows. */
export function AspectExamples({ aspects, linkFor }: { aspects: AspectSummary[]; linkFor: (aspect: string, polarity: Polarity) => string }) {
  const { t, lang, percent } = useLang();
  return (
    <details className="rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm" data-testid="aspect-examples">
      <summary className="cursor-pointer font-medium">{t("aspects.examples")}</summary>
      <div className="mt-2 space-y-3">
        {aspects.map((a) => (
          <div key={a.aspect}>
            <h3 className="font-medium">{lang === "vi" ? a.name_vi : a.name_en} <span className="text-slate-500">({a.total})</span></h3>
            <div className="grid gap-2 md:grid-cols-3">
              {POLARITIES.filter((p) => a.examples[p].length > 0).map((p) => (
                <div key={p}>
                  <a href={linkFor(a.aspect, p)} className="text-xs font-medium hover:underline" style={{ color: labelHex(p) }}>{t(`label.${p}`)} · {a.counts[p]}</a>
                  <ul className="space-y-1">
                    {a.examples[p].map((e) => (
                      <li key={e.rowNumber} className="line-clamp-3 text-slate-700">
                        <span className="tabular-nums text-slate-400">#{e.rowNumber} · {percent(e.confidence, 0)}</span> {e.text}
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </div>
          </div>
        ))}
      </div>
    </details>
  );
}
