import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData, useNavigate } from "@remix-run/react";
import { Chart } from "../charts/Chart.tsx";
import { AspectChart } from "../components/AspectChart.tsx";
import { wordCloudOption } from "../charts/wordCloudOption.ts";
import { labelHex, labelOrder } from "../labels.ts";
import { titleMeta } from "../pageMeta.ts";
import { requireUser } from "../requireUser.server.ts";
import { useLang } from "../useLang.ts";

export const meta = titleMeta("page.dashboard");

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireUser(request, context);
  const [insights, model] = await Promise.all([context.caller.insights.overview(), context.caller.predict.model()]);
  return json({ insights, modelLabels: model?.labels ?? [] });
}

const TOOLTIP = { trigger: "item", confine: true };

/** The history, searched for a word and filtered to the label whose cloud it came from. */
const wordSearch = (word: string, label: string) => `/history?q=${encodeURIComponent(word)}&label=${encodeURIComponent(label)}`;

export default function DashboardPage() {
  const { insights, modelLabels } = useLoaderData<typeof loader>();
  const { t } = useLang();
  const navigate = useNavigate();
  const labels = labelOrder(modelLabels, insights.labelCounts);
  const name = (label: string) => t(`label.${label}`);
  const days = insights.daily.length;

  if (insights.total === 0) {
    return (
      <section className="space-y-4">
        <h1 className="text-2xl font-semibold">{t("page.dashboard")}</h1>
        <p className="rounded-md border border-dashed border-slate-300 p-4 text-slate-600" data-testid="dashboard-empty">
          {t("dashboard.empty")} <Link to="/" className="font-medium text-orange-700 underline">{t("history.emptyAction")}</Link>
        </p>
      </section>
    );
  }

  const share = {
    tooltip: { ...TOOLTIP, formatter: "{b}: {c} ({d}%)" },
    legend: { bottom: 0 },
    series: [{
      type: "pie",
      radius: ["45%", "72%"],
      center: ["50%", "45%"],
      // whole percents with the count: "2 · 33%" reads faster than "33.33%"
      percentPrecision: 0,
      label: { formatter: "{c} · {d}%" },
      data: labels.filter((l) => insights.labelCounts[l]).map((l) => ({ name: name(l), value: insights.labelCounts[l], itemStyle: { color: labelHex(l) } })),
    }],
  };
  const daily = {
    tooltip: { trigger: "axis", confine: true },
    legend: { bottom: 0 },
    grid: { left: 32, right: 8, top: 8, bottom: 56 },
    xAxis: { type: "category", data: insights.daily.map((d) => `${d.day.slice(8, 10)}/${d.day.slice(5, 7)}`) },
    yAxis: { type: "value", minInterval: 1 },
    series: labels.map((l) => ({ type: "bar", stack: "all", name: name(l), itemStyle: { color: labelHex(l) }, data: insights.daily.map((d) => d.counts[l] ?? 0) })),
  };
  const cloud = (label: string) => wordCloudOption(label, insights.terms[label] ?? []);

  return (
    <section className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">{t("page.dashboard")}</h1>
        <p className="text-sm text-slate-600">
          <span data-testid="dashboard-total">{t("dashboard.total", { count: insights.total })}</span> ·{" "}
          <Link to="/history" className="font-medium text-orange-700 hover:underline">{t("common.seeHistory")}</Link>
        </p>
      </div>

      <div className="grid gap-4 md:grid-cols-[1fr_2fr]">
        <figure className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
          <figcaption className="mb-2 text-sm font-medium">{t("labels.share")}</figcaption>
          <Chart option={share} testId="chart-share" label={labels.map((l) => `${name(l)}: ${insights.labelCounts[l] ?? 0}`).join(", ")}
            onItemClick={(clicked) => {
              const label = labels.find((l) => name(l) === clicked);
              if (label) navigate(`/history?label=${encodeURIComponent(label)}`);
            }} />
        </figure>
        <figure className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
          <figcaption className="mb-2 text-sm font-medium">{t("dashboard.daily", { days })}</figcaption>
          <Chart option={daily} testId="chart-daily" label={t("dashboard.daily", { days })} />
        </figure>
      </div>

      {insights.aspects.length > 0 && (
        <div className="space-y-2">
          <h2 className="text-lg font-semibold">{t("dashboard.aspects")}</h2>
          <p className="text-sm text-slate-600">{t("dashboard.aspectsNote", { count: insights.aspectsFromTexts })}</p>
          <figure className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
            <AspectChart aspects={insights.aspects} testId="dashboard-aspects" />
          </figure>
        </div>
      )}

      <div className="space-y-2">
        <h2 className="text-lg font-semibold">{t("dashboard.wordsDistinctive")}</h2>
        <p className="text-sm text-slate-600">{t("dashboard.wordsDistinctiveNote", { count: insights.termsFromTexts })}</p>
        <div className="grid gap-4 md:grid-cols-3">
          {labels.map((label) => {
            const terms = insights.terms[label] ?? [];
            return (
              <figure key={label} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
                <figcaption className="mb-2 text-sm font-medium" style={{ color: labelHex(label) }}>{name(label)}</figcaption>
                {terms.length === 0 ? (
                  <p className="py-6 text-center text-sm text-slate-500">{t("dashboard.noWords")}</p>
                ) : (
                  <>
                    <Chart option={cloud(label)} className="h-56" testId={`cloud-${label}`}
                      label={`${name(label)}: ${terms.slice(0, 10).map((w) => w.term).join(", ")}`}
                      onItemClick={(word) => navigate(wordSearch(word, label))} />
                    {/* The same words as links, for keyboards and screen readers. */}
                    <details className="mt-2 text-sm">
                      <summary className="cursor-pointer text-slate-500">{t("dashboard.wordList")}</summary>
                      <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-1" data-testid={`words-${label}`}>
                        {terms.slice(0, 30).map((w) => (
                          <li key={w.term}>
                            <Link to={wordSearch(w.term, label)} className="text-orange-700 hover:underline">{w.term}</Link>{" "}
                            <span className="tabular-nums text-slate-500">{w.count}</span>
                          </li>
                        ))}
                      </ul>
                    </details>
                  </>
                )}
              </figure>
            );
          })}
        </div>
      </div>
    </section>
  );
}
