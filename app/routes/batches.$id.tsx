import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigate, useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import { toActionError } from "../actionErrors.server.ts";
import { Chart } from "../charts/Chart.tsx";
import { AspectChart, AspectExamples } from "../components/AspectChart.tsx";
import { wordCloudOption } from "../charts/wordCloudOption.ts";
import { labelBadgeClass, labelHex, labelOrder } from "../labels.ts";
import { titleMeta } from "../pageMeta.ts";
import { requireUser } from "../requireUser.server.ts";
import { useLang } from "../useLang.ts";

/** Skip reasons the page says in the reader's language (the server's English detail stays in the tooltip). */
const SKIP_REASONS = new Set(["ragged", "cellTooLong", "emptyText", "nulCharacter", "invalidUtf8"]);

export const meta = titleMeta("page.batchDetail");

const PAGE_SIZE = 25;
const SORTS = ["row", "confidence", "-confidence"] as const;
type Sort = (typeof SORTS)[number];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  requireUser(request, context);
  const url = new URL(request.url);
  const filter = {
    label: url.searchParams.get("label") || null,
    search: url.searchParams.get("q") ?? "",
    sort: (SORTS as readonly string[]).includes(url.searchParams.get("sort") ?? "") ? (url.searchParams.get("sort") as Sort) : "row",
    page: Math.max(1, Number(url.searchParams.get("page")) || 1),
    aspect: url.searchParams.get("aspect") || null,
    polarity: (["negative", "neutral", "positive"] as const).find((p) => p === url.searchParams.get("polarity")) ?? null,
  };
  try {
    const id = params.id ?? "";
    const batch = await context.caller.batch.get({ id });
    const active = ["uploading", "queued", "running"].includes(batch.status);
    const results = active ? null : await context.caller.batch.results({ id, ...filter, pageSize: PAGE_SIZE });
    const modelLabels = (await context.caller.predict.model())?.labels ?? [];
    return json({ batch, results, filter, modelLabels });
  } catch (error) {
    const failure = toActionError(error);
    if (failure.status === 404 || failure.status === 400) throw new Response("Not found", { status: 404 });
    throw error;
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  requireUser(request, context);
  const form = await request.formData();
  const id = params.id ?? "";
  try {
    if (form.get("intent") === "delete") {
      await context.caller.batch.delete({ id });
      return redirect("/history");
    }
    await context.caller.batch.cancel({ id });
    return json({ error: null });
  } catch (error) {
    const failure = toActionError(error);
    return json({ error: failure }, { status: failure.status });
  }
}

type Progress = { status: string; total: number; processed: number; rowsPerSecond: number | null; etaSeconds: number | null };

/** Live progress from the server-sent events; a reload simply reconnects (progress lives in the database). */
function useProgress(id: string, initial: Progress): Progress {
  const [progress, setProgress] = useState(initial);
  const revalidator = useRevalidator();
  const active = ["uploading", "queued", "running"].includes(initial.status);
  useEffect(() => {
    if (!active) return;
    const events = new EventSource(`/api/batches/${id}/events`);
    events.addEventListener("progress", (event) => {
      const next = JSON.parse((event as MessageEvent).data) as Progress;
      setProgress(next);
      if (!["uploading", "queued", "running"].includes(next.status)) {
        events.close();
        revalidator.revalidate();
      }
    });
    return () => events.close();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, active]);
  return active ? progress : initial;
}

function duration(seconds: number, lang: string): string {
  if (seconds < 60) return lang === "vi" ? `${seconds} giây` : `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return lang === "vi" ? `${minutes} phút` : `${minutes} min`;
}

export default function BatchDetailPage() {
  const { batch, results, filter, modelLabels } = useLoaderData<typeof loader>();
  const { t, lang, percent } = useLang();
  const navigate = useNavigate();
  const progress = useProgress(batch.id, { status: batch.status, total: batch.total, processed: batch.processed, rowsPerSecond: batch.rowsPerSecond, etaSeconds: batch.etaSeconds });
  const active = ["uploading", "queued", "running"].includes(progress.status);
  const share = progress.total ? progress.processed / progress.total : 0;
  const labels = labelOrder(modelLabels, batch.labelCounts);
  const name = (label: string) => t(`label.${label}`);
  const query = (changes: Record<string, string | number | null>) => {
    const merged: Record<string, string | number | null> = {
      label: filter.label, q: filter.search || null, sort: filter.sort === "row" ? null : filter.sort, aspect: filter.aspect, polarity: filter.polarity, page: null, ...changes,
    };
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(merged)) if (value !== null && value !== "") params.set(key, String(value));
    const text = params.toString();
    return text ? `?${text}` : "";
  };
  const exportQuery = query({ page: null });
  const aspectName = (id: string) => {
    const found = batch.aspects.find((a) => a.aspect === id);
    return found ? (lang === "vi" ? found.name_vi : found.name_en) : id;
  };
  const pages = results ? Math.max(1, Math.ceil(results.total / results.pageSize)) : 1;
  const totalLabelled = Object.values(batch.labelCounts).reduce((a, b) => a + b, 0);
  const counts = {
    tooltip: { trigger: "axis", confine: true },
    grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: labels.map(name), inverse: true },
    series: [{
      type: "bar",
      data: labels.map((l) => ({ value: batch.labelCounts[l] ?? 0, itemStyle: { color: labelHex(l) } })),
      label: { show: true, position: "right", formatter: (p: { value: number }) => `${p.value} · ${totalLabelled ? Math.round((p.value / totalLabelled) * 100) : 0}%` },
    }],
  };

  return (
    <section className="space-y-5">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="break-all text-2xl font-semibold">{batch.fileName}</h1>
        <span className="rounded-full bg-slate-100 px-3 py-1 text-sm" data-testid="batch-status">{t(`batch.status.${progress.status}`)}</span>
      </div>

      <div className="space-y-1 rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
        <div className="h-3 w-full overflow-hidden rounded bg-slate-200" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)} data-testid="batch-progress">
          <div className="h-full bg-orange-500 transition-all" style={{ width: `${share * 100}%` }} />
        </div>
        <p className="flex flex-wrap gap-x-3 text-sm text-slate-600">
          <span data-testid="batch-progress-text">{t("batch.progress", { processed: progress.processed, total: progress.total })} · {Math.round(share * 100)}%</span>
          {progress.rowsPerSecond !== null && <span>{t("batch.speed", { rate: Math.round(progress.rowsPerSecond) })}</span>}
          {active && progress.etaSeconds !== null && <span>{t("batch.eta", { time: duration(progress.etaSeconds, lang) })}</span>}
        </p>
        <div className="flex flex-wrap gap-2 pt-1">
          {active && (
            <Form method="post" onSubmit={(e) => !confirm(t("batch.confirmCancel")) && e.preventDefault()}>
              <button type="submit" name="intent" value="cancel" className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50" data-testid="batch-cancel">{t("batch.cancel")}</button>
            </Form>
          )}
          {!active && (
            <Form method="post" onSubmit={(e) => !confirm(t("batch.confirmDelete")) && e.preventDefault()}>
              <button type="submit" name="intent" value="delete" className="rounded-md border border-red-300 px-3 py-1 text-sm text-red-700 hover:bg-red-50">{t("batch.delete")}</button>
            </Form>
          )}
        </div>
      </div>

      {batch.error && <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-800">{t("batch.failedMessage", { error: batch.error })}</p>}

      {!active && results && (
        <>
          <p className="text-sm text-slate-600">{t("batch.summary", { total: batch.processed, skipped: batch.skipped })}</p>
          <div className="grid gap-4 md:grid-cols-[2fr_1fr]">
            <figure className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
              <figcaption className="mb-2 text-sm font-medium">{t("labels.share")}</figcaption>
              <Chart option={counts} className="h-48" testId="batch-chart" label={labels.map((l) => `${name(l)}: ${batch.labelCounts[l] ?? 0}`).join(", ")}
                onItemClick={(clicked) => {
                  const label = labels.find((l) => name(l) === clicked);
                  if (label) navigate(query({ label }));
                }} />
            </figure>
            <dl className="space-y-3 rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm">
              <div>
                <dt className="text-slate-600">{t("batch.averageConfidence")}</dt>
                <dd className="text-2xl font-semibold tabular-nums" data-testid="batch-average">{batch.averageConfidence === null ? "—" : percent(batch.averageConfidence)}</dd>
              </div>
              <div>
                <dt className="text-slate-600">{t("batch.lowConfidence", { threshold: percent(batch.lowConfidenceThreshold, 0) })}</dt>
                <dd className="text-2xl font-semibold tabular-nums">
                  <Link to={query({ sort: "confidence" })} className="text-orange-700 hover:underline">{batch.lowConfidence}</Link>
                </dd>
              </div>
              <div>
                <dt className="text-slate-600">{t("predict.notVietnamese")}</dt>
                <dd className="text-2xl font-semibold tabular-nums" data-testid="batch-not-vietnamese">{batch.notVietnamese}</dd>
              </div>
            </dl>
          </div>

          {batch.aspects.length > 0 && (
            <div className="space-y-2">
              <h2 className="text-lg font-semibold">{t("aspects.chartTitle")}</h2>
              <p className="text-sm text-slate-600">{t("aspects.chartHint")}</p>
              <figure className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
                <AspectChart aspects={batch.aspects} onPick={(aspect, polarity) => navigate(query({ aspect, polarity, label: null }))} />
              </figure>
              <AspectExamples aspects={batch.aspects} linkFor={(aspect, polarity) => query({ aspect, polarity, label: null })} />
            </div>
          )}

          {batch.terms && (
            <div className="space-y-2">
              <h2 className="text-lg font-semibold">{t("batch.words")}</h2>
              <p className="text-sm text-slate-600">{t("batch.wordsHint")}</p>
              <div className="grid gap-4 md:grid-cols-3">
                {labels.filter((l) => (batch.terms?.[l] ?? []).length > 0).map((label) => {
                  const terms = batch.terms![label]!;
                  return (
                    <figure key={label} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
                      <figcaption className="mb-2 text-sm font-medium" style={{ color: labelHex(label) }}>{name(label)}</figcaption>
                      <Chart option={wordCloudOption(label, terms)} className="h-56" testId={`batch-cloud-${label}`}
                        label={`${name(label)}: ${terms.slice(0, 10).map((w) => w.term).join(", ")}`}
                        onItemClick={(word) => navigate(query({ q: word, label }))} />
                      <p className="mt-2 text-xs text-slate-500">{t("batch.topTerms")}:</p>
                      <ul className="flex flex-wrap gap-x-3 gap-y-1 text-sm" data-testid={`batch-terms-${label}`}>
                        {terms.slice(0, 12).map((w) => (
                          <li key={w.term}>
                            <Link to={query({ q: w.term, label })} className="text-orange-700 hover:underline">{w.term}</Link>{" "}
                            <span className="tabular-nums text-slate-500">{w.count}</span>
                          </li>
                        ))}
                      </ul>
                    </figure>
                  );
                })}
              </div>
            </div>
          )}

          <div className="space-y-2">
            <h2 className="text-lg font-semibold">{t("batch.results")}</h2>
            <div className="flex flex-wrap gap-2 text-sm" role="group" aria-label={t("history.filterLabel")}>
              {[null, ...labels].map((label) => (
                <Link key={label ?? "all"} to={query({ label })} aria-current={filter.label === label ? "true" : undefined}
                  className={`rounded-full border px-3 py-1 ${filter.label === label ? "border-orange-500 bg-orange-50 text-orange-800" : "border-slate-300"}`}>
                  {label ? `${name(label)} (${batch.labelCounts[label] ?? 0})` : t("history.all")}
                </Link>
              ))}
            </div>
            {filter.aspect && (
              <p className="text-sm" data-testid="aspect-filter" data-aspect={filter.aspect} data-polarity={filter.polarity ?? ""}>
                {filter.polarity ? t("aspects.filtered", { aspect: aspectName(filter.aspect), polarity: name(filter.polarity) }) : t("aspects.filteredAspect", { aspect: aspectName(filter.aspect) })}{" "}
                <Link to={query({ aspect: null, polarity: null })} className="text-orange-700 underline">{t("aspects.clearFilter")}</Link>
              </p>
            )}
            <Form method="get" className="flex flex-wrap gap-2" role="search">
              {filter.label && <input type="hidden" name="label" value={filter.label} />}
              {filter.aspect && <input type="hidden" name="aspect" value={filter.aspect} />}
              {filter.polarity && <input type="hidden" name="polarity" value={filter.polarity} />}
              <input type="search" name="q" defaultValue={filter.search} placeholder={t("batch.searchPlaceholder")} maxLength={200} data-testid="batch-search"
                className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2" />
              <select name="sort" defaultValue={filter.sort} aria-label={t("batch.sort")} className="rounded-md border border-slate-300 px-2 py-2">
                {SORTS.map((s) => <option key={s} value={s}>{t(`batch.sort.${s}`)}</option>)}
              </select>
              <button type="submit" className="rounded-md bg-orange-600 px-4 py-2 font-medium text-white hover:bg-orange-700">{t("history.searchSubmit")}</button>
            </Form>
            <div className="flex flex-wrap gap-2 text-sm">
              <a href={`/api/batches/${batch.id}/results.csv`} download className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" data-testid="batch-export-all">{t("batch.exportAll")}</a>
              {exportQuery && <a href={`/api/batches/${batch.id}/results.csv${exportQuery}`} download className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" data-testid="batch-export-filtered">{t("batch.exportFiltered")}</a>}
              <a href={`/api/batches/${batch.id}/results.json${exportQuery}`} download className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50">{t("batch.exportJson")}</a>
            </div>
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
              <table className="min-w-full text-left text-sm" data-testid="batch-table">
                <thead className="bg-slate-50">
                  <tr>
                    <th className="px-2 py-2">{t("batch.row")}</th>
                    <th className="px-2 py-2">{t("batch.text")}</th>
                    <th className="px-2 py-2">{t("batch.label")}</th>
                    <th className="px-2 py-2">{t("aspects.column")}</th>
                    <th className="px-2 py-2 text-right">{t("batch.confidence")}</th>
                  </tr>
                </thead>
                <tbody>
                  {results.rows.map((row) => (
                    <tr key={row.rowNumber} className="border-t align-top">
                      <td className="px-2 py-2 tabular-nums text-slate-500">{row.rowNumber}</td>
                      <td className="min-w-[14rem] max-w-md px-2 py-2">{row.text}</td>
                      <td className="px-2 py-2">
                        {row.notVietnamese
                          ? <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600" data-testid="row-not-vietnamese" title={row.language ?? ""}>{t("predict.notVietnamese")}</span>
                          : <span className={`rounded-full px-2 py-0.5 text-xs ${labelBadgeClass(row.label)}`}>{name(row.label)}</span>}
                      </td>
                      <td className="px-2 py-2" data-testid="row-aspects">
                        <span className="flex flex-wrap gap-1">
                          {row.aspects.map((a) => (
                            <span key={a.aspect} data-aspect={a.aspect} data-polarity={a.polarity} className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs ${labelBadgeClass(a.polarity)}`}>
                              {lang === "vi" ? a.name_vi : a.name_en}
                            </span>
                          ))}
                        </span>
                      </td>
                      <td className="whitespace-nowrap px-2 py-2 text-right tabular-nums">
                        {percent(row.confidence)}
                        {row.confidence < batch.lowConfidenceThreshold && <span className="ml-1 rounded bg-amber-100 px-1 text-xs text-amber-800" data-testid="low-confidence">{t("batch.review")}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <nav className="flex items-center justify-between text-sm">
              {filter.page > 1 ? <Link to={query({ page: filter.page - 1 })} className="text-orange-700 hover:underline">{t("batch.prev")}</Link> : <span />}
              <span data-testid="batch-page">{t("batch.page", { page: filter.page, pages })} · {results.total}</span>
              {filter.page < pages ? <Link to={query({ page: filter.page + 1 })} className="text-orange-700 hover:underline">{t("batch.next")}</Link> : <span />}
            </nav>
          </div>

          {batch.skippedRows.length > 0 && (
            <details data-testid="batch-skipped" className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
              <summary className="cursor-pointer font-medium">{t("batch.skippedRows")} ({batch.skipped})</summary>
              <ul className="mt-2 space-y-1 text-slate-700">
                {batch.skippedRows.slice(0, 200).map((s) => (
                  <li key={s.row} title={s.message}>{SKIP_REASONS.has(s.reason) ? t(`batch.skip.${s.reason}`, { row: s.row, offset: s.offset ?? "" }) : s.message}</li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </section>
  );
}
