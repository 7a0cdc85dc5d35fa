import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { toActionError } from "../actionErrors.server.ts";
import { LabelShareBar } from "../components/LabelShareBar.tsx";
import { ProbabilityBars } from "../components/ProbabilityBars.tsx";
import { labelBadgeClass, labelOrder } from "../labels.ts";
import { titleMeta } from "../pageMeta.ts";
import { requireUser } from "../requireUser.server.ts";
import { useLang } from "../useLang.ts";
import { formatVietnamTime } from "#common/time/vietnamTime.ts";

export const meta = titleMeta("page.history");

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireUser(request, context);
  const params = new URL(request.url).searchParams;
  const filter = { search: params.get("q") ?? "", label: params.get("label") || null, cursor: params.get("cursor") || null };
  const modelLabels = (await context.caller.predict.model())?.labels ?? [];
  const batches = (await context.caller.batch.list({ limit: 20 })).items;
  const common = { ...filter, modelLabels, batches, searchMaxChars: context.config.searchMaxChars };
  try {
    const page = await context.caller.history.list(filter);
    return json({ ...common, page, error: null });
  } catch (error) {
    const actionError = toActionError(error);
    return json({ ...common, page: null, error: actionError }, { status: actionError.status });
  }
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireUser(request, context);
  const form = await request.formData();
  try {
    if (form.get("intent") === "deleteBatch") await context.caller.batch.delete({ id: String(form.get("batchId") ?? "") });
    else await context.caller.history.delete({ id: String(form.get("id") ?? "") });
    return json({ error: null });
  } catch (error) {
    const actionError = toActionError(error);
    return json({ error: actionError }, { status: actionError.status });
  }
}

export default function HistoryPage() {
  const data = useLoaderData<typeof loader>();
  const deleted = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t, percent } = useLang();
  const deleting = navigation.formData?.get("id");
  const counts = data.page?.labelCounts ?? {};
  const labels = labelOrder(data.modelLabels, counts);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  /** The current filter with some parameters changed, as a query string; a new filter starts at the first page. */
  const query = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams();
    const merged: Record<string, string | null> = { q: data.search || null, label: data.label, cursor: null, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) params.set(key, value);
    const text = params.toString();
    return text ? `?${text}` : "";
  };
  const href = (changes: Record<string, string | null>) => `/history${query(changes)}`;
  const error = data.error ?? deleted?.error;

  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("page.history")}</h1>
      <Form method="get" role="search" className="space-y-1">
        <label htmlFor="history-search" className="block text-sm font-medium">{t("history.searchLabel")}</label>
        <div className="flex gap-2">
          <input id="history-search" type="search" name="q" defaultValue={data.search} maxLength={data.searchMaxChars}
            placeholder={t("history.searchPlaceholder")} aria-describedby="history-search-hint"
            className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 focus:border-orange-500 focus:outline-none" />
          {data.label && <input type="hidden" name="label" value={data.label} />}
          <button type="submit" className="rounded-md bg-orange-600 px-4 py-2 font-medium text-white hover:bg-orange-700">{t("history.searchSubmit")}</button>
        </div>
        <p id="history-search-hint" className="text-xs text-slate-500">{t("history.searchHint")}</p>
      </Form>

      {navigation.state === "loading" && <div className="h-1 w-full animate-pulse rounded bg-orange-200" role="progressbar" aria-label={t("predict.running")} />}
      {error && <p role="alert" data-testid="history-error" className="rounded-md bg-red-50 p-2 text-sm text-red-800">{t(error.messageKey, { max: data.searchMaxChars })}</p>}

      {total > 0 && (
        <div className="space-y-2">
          <LabelShareBar labels={labels} counts={counts} />
          <nav aria-label={t("history.filterLabel")} className="flex flex-wrap gap-2 text-sm">
            {[null, ...labels].map((l) => (
              <Link key={l ?? "all"} to={href({ label: l })} aria-current={data.label === l ? "page" : undefined} data-testid={`history-filter-${l ?? "all"}`}
                className={`rounded-full border px-3 py-1 ${data.label === l ? "border-orange-500 bg-orange-50 font-medium" : "border-slate-300 hover:bg-slate-100"}`}>
                {l ? t(`label.${l}`) : t("history.all")} <span className="tabular-nums text-slate-500">{l ? counts[l] ?? 0 : total}</span>
              </Link>
            ))}
          </nav>
          <a href={`/history.csv${query({})}`} download data-testid="history-download"
            className="inline-block text-sm font-medium text-orange-700 hover:underline">{t("history.download")}</a>
        </div>
      )}

      {data.page && data.page.items.length === 0 && (
        <p className="rounded-md border border-dashed border-slate-300 p-4 text-slate-600" data-testid="history-empty">
          {data.search || data.label || data.cursor ? t("history.noMatch") : (
            <>{t("history.empty")} <Link to="/" className="font-medium text-orange-700 underline">{t("history.emptyAction")}</Link></>
          )}
        </p>
      )}

      {data.page && data.page.items.length > 0 && (
        <ol className="space-y-3" data-testid="history-list">
          {data.page.items.map((item) => (
            <li key={item.id} data-testid="history-item" data-label={item.label}
              className={`rounded-lg border border-slate-200 bg-white p-3 shadow-sm ${deleting === item.id ? "opacity-40" : ""}`}>
              <div className="mb-1 flex flex-wrap items-center gap-2 text-sm">
                {item.notVietnamese
                  ? <span className="rounded-full bg-slate-100 px-2 py-0.5 font-medium text-slate-600" data-testid="history-not-vietnamese">{t("predict.notVietnamese")}</span>
                  : <span className={`rounded-full px-2 py-0.5 font-medium ${labelBadgeClass(item.label)}`}>{t(`label.${item.label}`)}</span>}
                <span className="tabular-nums text-slate-600">{percent(item.confidence)}</span>
                <time dateTime={item.createdAt} title={t("history.vietnamTime")} className="text-xs text-slate-500">{formatVietnamTime(item.createdAt)}</time>
                <Form method="post" className="ml-auto" onSubmit={(event) => {
                  if (!window.confirm(t("history.confirmDelete"))) event.preventDefault();
                }}>
                  <input type="hidden" name="id" value={item.id} />
                  <button type="submit" aria-label={t("history.deleteLabel")} className="rounded-md px-2 py-1 text-xs text-red-700 hover:bg-red-50">{t("history.delete")}</button>
                </Form>
              </div>
              <p className="line-clamp-3 whitespace-pre-line break-words" data-testid="history-text">{item.text}</p>
              <details className="mt-2 text-sm">
                <summary className="cursor-pointer text-slate-500">{t("history.details")}</summary>
                <div className="mt-2 space-y-2">
                  <ProbabilityBars probabilities={item.probabilities} />
                  <p className="text-xs text-slate-500">
                    {t("predict.tokens", { count: item.tokenCount })}
                    {item.windowed ? ` · ${t("predict.windowed")}` : ""} · {t("predict.model", { id: item.modelId, version: item.modelVersion })}
                  </p>
                </div>
              </details>
            </li>
          ))}
        </ol>
      )}

      {data.batches.length > 0 && (
        <div className="space-y-2" data-testid="history-batches">
          <h2 className="text-lg font-semibold">{t("batch.historyTitle")}</h2>
          <ul className="divide-y rounded-lg border border-slate-200 bg-white">
            {data.batches.map((b) => (
              <li key={b.id} className="flex flex-wrap items-center gap-2 px-3 py-2 text-sm">
                <Link to={`/batches/${b.id}`} className="break-all font-medium text-orange-700 hover:underline">{b.fileName}</Link>
                <span className="text-slate-600">{t(`batch.status.${b.status}`)} · {t("batch.progress", { processed: b.processed, total: b.total })}</span>
                <time dateTime={b.createdAt} className="text-xs text-slate-500">{formatVietnamTime(b.createdAt)}</time>
                <Form method="post" className="ml-auto" onSubmit={(event) => {
                  if (!window.confirm(t("batch.confirmDelete"))) event.preventDefault();
                }}>
                  <input type="hidden" name="batchId" value={b.id} />
                  <button type="submit" name="intent" value="deleteBatch" className="rounded-md px-2 py-1 text-xs text-red-700 hover:bg-red-50">{t("batch.delete")}</button>
                </Form>
              </li>
            ))}
          </ul>
        </div>
      )}

      {(data.cursor || data.page?.nextCursor) && (
        <nav className="flex justify-between text-sm font-medium">
          {data.cursor ? <Link to={href({})} className="text-orange-700 hover:underline">{t("history.newest")}</Link> : <span />}
          {data.page?.nextCursor && <Link to={href({ cursor: data.page.nextCursor })} data-testid="history-older" className="text-orange-700 hover:underline">{t("history.older")}</Link>}
        </nav>
      )}
    </section>
  );
}
