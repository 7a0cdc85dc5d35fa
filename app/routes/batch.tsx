import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData, useNavigate } from "@remix-run/react";
import { useRef, useState } from "react";
import { titleMeta } from "../pageMeta.ts";
import { requireUser } from "../requireUser.server.ts";
import { formatNumber } from "#common/i18n/messages.ts";
import { useLang } from "../useLang.ts";
import { ModelChoice, type ModelKind } from "../components/ModelChoice.tsx";
import { DomainSelect } from "../components/DomainSelect.tsx";

export const meta = titleMeta("page.batch");

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireUser(request, context);
  const { items } = await context.caller.batch.list({ limit: 5 });
  const [model, aspectDomains] = await Promise.all([context.caller.predict.model(), context.caller.predict.aspectDomains()]);
  return json({ maxBytes: context.config.batchMaxBytes, maxRows: context.config.batchMaxRows, recent: items, hasAccurate: model?.accurate != null, aspectDomains });
}

type Preview = { columns: string[]; rows: string[][]; guessedTextColumn: string; format?: { encoding: string } };
type ApiError = { error?: { message?: string; messageKey?: string; field?: string | null } };

/** What the server sends back on failure, in the reader's language when we have the message key. */
function errorText(t: ReturnType<typeof useLang>["t"], body: ApiError | null, params: Record<string, string | number>): string {
  const key = body?.error?.messageKey;
  const translated = key ? t(key, { field: body?.error?.field ?? "", ...params }) : "";
  return translated && translated !== key ? translated : body?.error?.message ?? t("error.internal");
}

const PREVIEW_BYTES = 65_536;

export default function BatchPage() {
  const { maxBytes, maxRows, recent, hasAccurate, aspectDomains } = useLoaderData<typeof loader>();
  const [modelKind, setModelKind] = useState<ModelKind>("fast");
  const domainSelect = useRef<HTMLDivElement>(null);
  const { t, lang } = useLang();
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [textColumn, setTextColumn] = useState("");
  const [state, setState] = useState<"idle" | "reading" | "ready" | "uploading">("idle");
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  // the reader's notation, one decimal: "0,2 MB" rather than a rounded-down "0 MB"
  const limits = { mb: formatNumber(lang, maxBytes / 1_000_000, 1), rows: formatNumber(lang, maxRows, 0) };

  async function choose(chosen: File | undefined) {
    if (!chosen) return;
    setFile(chosen);
    setPreview(null);
    setError(null);
    if (chosen.size > maxBytes) {
      setState("idle");
      setError(t("batch.fileTooLarge", limits));
      return;
    }
    setState("reading");
    const form = new FormData();
    form.append("file", chosen.slice(0, PREVIEW_BYTES), chosen.name);
    try {
      const response = await fetch("/api/predict/batch/preview", { method: "POST", body: form });
      const body = (await response.json()) as Preview & ApiError;
      if (!response.ok) throw body;
      setPreview(body);
      setTextColumn(body.guessedTextColumn);
      setState("ready");
    } catch (failure) {
      setState("idle");
      setError(errorText(t, failure as ApiError, limits));
    }
  }

  function upload() {
    if (!file) return;
    setState("uploading");
    setError(null);
    const form = new FormData();
    form.append("text_column", textColumn);
    form.append("model", modelKind);
    const domain = domainSelect.current?.querySelector("select")?.value;
    if (domain) form.append("domain", domain);
    form.append("file", file, file.name);
    // XMLHttpRequest: fetch cannot report upload progress
    const request = new XMLHttpRequest();
    request.open("POST", "/api/predict/batch");
    request.upload.onprogress = (event) => event.lengthComputable && setProgress(event.loaded / event.total);
    request.onload = () => {
      let body: ({ id?: string } & ApiError) | null = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status === 202 && body?.id) navigate(`/batches/${body.id}`);
      else {
        setState("ready");
        setError(errorText(t, body, limits));
      }
    };
    request.onerror = () => {
      setState("ready");
      setError(t("error.internal"));
    };
    request.send(form);
  }

  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("page.batch")}</h1>
      <p className="text-slate-700">{t("batch.intro")}</p>

      <div
        data-testid="batch-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void choose(e.dataTransfer.files[0]);
        }}
        className={`flex flex-col items-center gap-2 rounded-lg border-2 border-dashed p-6 text-center ${dragging ? "border-orange-500 bg-orange-50" : "border-slate-300 bg-white"}`}
      >
        <p className="font-medium">{t("batch.drop")}</p>
        <label className="cursor-pointer rounded-md bg-orange-600 px-4 py-2 font-medium text-white hover:bg-orange-700">
          {t("batch.choose")}
          <input ref={input} type="file" accept=".csv,.tsv,.txt,text/csv" className="sr-only" data-testid="batch-file" onChange={(e) => void choose(e.target.files?.[0])} />
        </label>
        <p className="text-xs text-slate-500">{t("batch.limits", limits)}</p>
      </div>

      {state === "reading" && <div className="h-1 w-full animate-pulse rounded bg-orange-200" role="progressbar" aria-label={t("batch.reading")} />}
      {error && <p role="alert" data-testid="batch-error" className="rounded-md bg-red-50 p-2 text-sm text-red-800">{error}</p>}

      {preview && file && (
        <div className="space-y-3 rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
          <h2 className="font-medium">{t("batch.preview", { file: file.name })}</h2>
          {preview.format && (
            <p data-testid="batch-encoding" className={`text-sm ${preview.format.encoding === "windows-1258" ? "rounded-md bg-amber-50 p-2 text-amber-900" : "text-slate-600"}`}>
              {t("batch.encoding", { encoding: t(`batch.encoding.${preview.format.encoding}`) })}
            </p>
          )}
          <div className="overflow-x-auto">
            <table className="min-w-full text-left text-sm" data-testid="batch-preview">
              <thead>
                <tr>
                  {preview.columns.map((c) => (
                    <th key={c} className={`whitespace-nowrap border-b px-2 py-1 ${c === textColumn ? "bg-orange-50 text-orange-800" : ""}`}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.rows.slice(0, 5).map((row, i) => (
                  <tr key={i}>
                    {row.map((cell, j) => (
                      <td key={j} className={`max-w-xs truncate border-b px-2 py-1 ${preview.columns[j] === textColumn ? "bg-orange-50" : ""}`}>{cell}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="flex flex-wrap items-end gap-3">
            <label className="space-y-1 text-sm">
              <span className="block font-medium">{t("batch.textColumn")}</span>
              <select value={textColumn} onChange={(e) => setTextColumn(e.target.value)} data-testid="batch-text-column" className="rounded-md border border-slate-300 px-2 py-2">
                {preview.columns.map((c) => (
                  <option key={c} value={c}>{c === preview.guessedTextColumn ? `${c} (${t("batch.guess")})` : c}</option>
                ))}
              </select>
            </label>
            {hasAccurate && <ModelChoice value={modelKind} onChange={setModelKind} />}
            {aspectDomains && <div ref={domainSelect} className="pb-2"><DomainSelect domains={aspectDomains.domains} /></div>}
            <button type="button" onClick={upload} disabled={state === "uploading"} data-testid="batch-upload"
              className="rounded-md bg-orange-600 px-4 py-2 font-medium text-white hover:bg-orange-700 disabled:opacity-60">
              {state === "uploading" ? t("batch.uploading", { percent: `${Math.round(progress * 100)}%` }) : t("batch.upload")}
            </button>
          </div>
          {state === "uploading" && (
            <div className="h-2 w-full overflow-hidden rounded bg-slate-200" role="progressbar" aria-valuenow={Math.round(progress * 100)} aria-valuemin={0} aria-valuemax={100}>
              <div className="h-full bg-orange-500 transition-all" style={{ width: `${progress * 100}%` }} />
            </div>
          )}
        </div>
      )}

      {recent.length > 0 && (
        <div className="space-y-2">
          <h2 className="text-lg font-semibold">{t("batch.recent")}</h2>
          <ul className="divide-y rounded-lg border border-slate-200 bg-white">
            {recent.map((b) => (
              <li key={b.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm">
                <Link to={`/batches/${b.id}`} className="font-medium text-orange-700 hover:underline">{b.fileName}</Link>
                <span className="text-slate-600">{t(`batch.status.${b.status}`)} · {t("batch.progress", { processed: b.processed, total: b.total })}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
