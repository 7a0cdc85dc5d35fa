import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { toActionError, type ActionError } from "../actionErrors.server.ts";
import { AspectChips, domainName } from "../components/AspectChips.tsx";
import { DomainSelect } from "../components/DomainSelect.tsx";
import { LabelShareBar } from "../components/LabelShareBar.tsx";
import { ProbabilityBars } from "../components/ProbabilityBars.tsx";
import { WordHighlights } from "../components/WordHighlights.tsx";
import { ModelChoice } from "../components/ModelChoice.tsx";
import { labelBadgeClass, labelOrder } from "../labels.ts";
import { useLang } from "../useLang.ts";
import { titleMeta } from "../pageMeta.ts";

/** A language code as the reader says it ("tiếng Anh", "English"); "und" (cannot tell) as such (`undetermined`, translated). */
function languageName(code: string | null | undefined, lang: string, undetermined: string): string {
  if (!code || code === "und") return undetermined;
  try {
    return new Intl.DisplayNames([lang], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

export const meta = titleMeta();

export async function loader({ context }: LoaderFunctionArgs) {
  return json({
    maxChars: context.config.maxTextChars,
    maxLines: context.config.maxTextsPerRequest,
    signedIn: context.user !== null,
    model: await context.caller.predict.model(),
    aspectDomains: await context.caller.predict.aspectDomains(),
  });
}

/** The non-blank lines of a paste, each one text, with its line number in the paste (1-based). */
function textLines(paste: string): { text: string; line: number }[] {
  return paste.split(/\r?\n/).flatMap((line, i) => (line.trim() ? [{ text: line.trim(), line: i + 1 }] : []));
}

type PasteProblem = { messageKey: "predict.tooManyTexts" | "predict.textTooLong"; line?: number };

/** What the server would refuse in a one-per-line paste, found while typing, so a long paste is not sent in vain. */
function linesProblem(lines: { text: string; line: number }[], maxChars: number, maxLines: number): PasteProblem | null {
  if (lines.length > maxLines) return { messageKey: "predict.tooManyTexts" };
  const long = lines.find((l) => l.text.length > maxChars);
  return long ? { messageKey: "predict.textTooLong", line: long.line } : null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const text = String(form.get("text") ?? "");
  const byLine = form.get("mode") === "lines";
  // anything but the two kinds is refused by the procedure's input check, as it would be over the API
  const model = String(form.get("model") ?? "fast") as "fast" | "accurate";
  const domain = String(form.get("domain") ?? "") || undefined;
  const fail = (error: ActionError) => json({ ok: false as const, error, text, byLine }, { status: error.status });
  if (!byLine) {
    try {
      const result = await context.caller.predict.single({ text, explain: true, model, domain });
      return json({ ok: true as const, text, byLine, result, results: null });
    } catch (error) {
      return fail(toActionError(error));
    }
  }
  const lines = textLines(text);
  if (lines.length === 0) return fail({ messageKey: "predict.emptyText", params: {}, field: "text", status: 400 });
  try {
    const { results } = await context.caller.predict.many({ texts: lines.map((l) => l.text), model, domain });
    return json({ ok: true as const, text, byLine, result: null, results });
  } catch (error) {
    // predict.many names the bad text as "texts.<index>"; the reader wants its line in what they pasted.
    const actionError = toActionError(error);
    const index = actionError.field?.match(/^texts\.(\d+)$/)?.[1];
    const line = index === undefined ? undefined : lines[Number(index)]?.line;
    return fail(line === undefined ? actionError : { ...actionError, params: { ...actionError.params, line } });
  }
}

export default function AnalysePage() {
  const { maxChars, maxLines, signedIn, model, aspectDomains } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const { t, percent, lang } = useLang();
  const [text, setText] = useState(data?.text ?? "");
  const [byLine, setByLine] = useState(data?.byLine ?? false);
  const lines = byLine ? textLines(text) : [];
  const problem = byLine ? linesProblem(lines, maxChars, maxLines) : null;
  const serverError = data && !data.ok ? { messageKey: data.error.messageKey, line: data.error.params.line } : null;
  // what the reader sees: a problem with the text as it is now, else the server's answer to what was sent
  const shownError = problem ?? serverError;

  return (
    <div className="grid gap-6 md:grid-cols-2">
      <section>
        <h1 className="mb-3 text-2xl font-semibold">{t("predict.title")}</h1>
        {/* multipart: the text travels as UTF-8, not percent-encoded (three times the bytes for Vietnamese letters) */}
        <Form method="post" encType="multipart/form-data" className="space-y-3">
          <textarea name="text" rows={byLine ? 10 : 7} value={text} maxLength={byLine ? undefined : maxChars} onChange={(e) => setText(e.target.value)}
            placeholder={t(byLine ? "predict.placeholderLines" : "predict.placeholder")} aria-label={t("predict.title")} data-testid="predict-text"
            aria-invalid={shownError ? true : undefined} aria-describedby="predict-error"
            className="w-full rounded-md border border-slate-300 p-3 focus:border-orange-500 focus:outline-none" />
          <label className={`flex items-start gap-2 text-sm ${signedIn ? "" : "text-slate-500"}`}>
            <input type="checkbox" name="mode" value="lines" checked={byLine} disabled={!signedIn} onChange={(e) => setByLine(e.target.checked)}
              data-testid="predict-by-line" className="mt-0.5 accent-orange-600" />
            <span>
              {t("predict.byLine", { max: maxLines })}
              {!signedIn && <> · <Link to="/login" className="text-orange-700 underline">{t("predict.byLineLogin")}</Link></>}
            </span>
          </label>
          {model?.accurate && <ModelChoice />}
          {aspectDomains && <DomainSelect domains={aspectDomains.domains} />}
          <div className="flex items-center justify-between">
            <span className="text-xs text-slate-500">
              {byLine ? t("predict.lines", { count: lines.length, max: maxLines }) : t("predict.chars", { count: text.length, max: maxChars })}
            </span>
            <button type="submit" disabled={busy || problem !== null} className="rounded-md bg-orange-600 px-4 py-2 font-medium text-white hover:bg-orange-700 disabled:opacity-60">
              {busy ? t("predict.running") : t("predict.submit")}
            </button>
          </div>
          {shownError && (
            <p id="predict-error" role="alert" data-testid="predict-error" className="rounded-md bg-red-50 p-2 text-sm text-red-800">
              {t(shownError.messageKey, { max: maxChars, maxTexts: maxLines })}
              {shownError.line !== undefined && ` (${t("predict.onLine", { line: shownError.line })})`}
            </p>
          )}
        </Form>
      </section>
      <section aria-live="polite">
        {busy && <div className="h-2 w-full animate-pulse rounded bg-orange-200" role="progressbar" aria-label={t("predict.running")} />}
        {data?.ok && data.result && (
          <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="predict-result">
            <h2 className="text-sm text-slate-500">{t("predict.result")}</h2>
            {data.result.notVietnamese ? (
              <>
                <p className="text-3xl font-bold text-slate-600" data-testid="predict-not-vietnamese" data-language={data.result.language ?? ""}>{t("predict.notVietnamese")}</p>
                <p className="mb-3 text-sm text-slate-600">{t("predict.notVietnameseHint", { language: languageName(data.result.language, lang, t("predict.languageUndetermined")) })}</p>
              </>
            ) : data.result.uncertain ? (
              <>
                <p className="text-3xl font-bold text-slate-600" data-testid="predict-uncertain" data-label={data.result.label}>{t("predict.uncertain")}</p>
                <p className="mb-3 text-sm text-slate-600">{t("predict.uncertainHint", { label: t(`label.${data.result.label}`) })}</p>
              </>
            ) : (
              <p className="mb-3 text-3xl font-bold" data-testid="predict-label" data-label={data.result.label}>
                {t(`label.${data.result.label}`)} <span className="text-base font-normal text-slate-500">{percent(data.result.confidence)}</span>
              </p>
            )}
            <ProbabilityBars probabilities={data.result.probabilities} />
            <AspectChips aspects={data.result.aspects} domain={data.result.domain} domainName={domainName(aspectDomains?.domains, data.result.domain, lang)} />
            {data.result.explanation ? (
              <WordHighlights text={data.result.text} label={data.result.explanation.label} words={data.result.explanation.words} />
            ) : data.result.explanation === null ? (
              <p className="mt-3 text-xs text-slate-500">{t("explain.unavailable")}</p>
            ) : null}
            <p className="mt-3 text-xs text-slate-500">
              {t("predict.tokens", { count: data.result.tokenCount })}
              {data.result.windowed ? ` · ${t("predict.windowed")}` : ""} · {t("predict.model", { id: data.result.modelId, version: data.result.modelVersion })}
              {model?.accurate ? ` · ${t(data.result.modelKind === "accurate" ? "predict.answeredByAccurate" : "predict.answeredByFast")}` : ""}
            </p>
            <p className="mt-1 text-xs text-slate-500">
              {data.result.stored ? (
                <>{t("predict.stored")} · <Link to="/history" className="text-orange-700 underline">{t("common.seeHistory")}</Link></>
              ) : t("predict.notStored")}
            </p>
          </div>
        )}
        {data?.ok && data.results && <LineResults results={data.results} modelLabels={model?.labels ?? []} />}
      </section>
    </div>
  );
}

type LineResult = {
  id: string; text: string; label: string; confidence: number; uncertain: boolean; notVietnamese: boolean;
  aspects: { aspect: string; polarity: string; name_vi: string; name_en: string }[];
};


function LineResults({ results, modelLabels }: { results: LineResult[]; modelLabels: string[] }) {
  const { t, percent, lang } = useLang();
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.label] = (counts[r.label] ?? 0) + 1;
  const labels = labelOrder(modelLabels, counts);
  return (
    <div className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="predict-results">
      <h2 className="text-sm text-slate-500">{t("predict.resultsFor", { count: results.length })}</h2>
      <LabelShareBar labels={labels} counts={counts} />
      <p className="flex flex-wrap gap-x-4 text-sm">
        {labels.map((l) => <span key={l}>{t(`label.${l}`)}: <strong className="tabular-nums">{counts[l] ?? 0}</strong></span>)}
      </p>
      <ol className="divide-y divide-slate-100 text-sm">
        {results.map((r) => (
          <li key={r.id} className="flex items-start gap-2 py-2" data-testid="predict-line" data-label={r.label}>
            {r.notVietnamese ? (
              <span className="shrink-0 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600" data-testid="predict-line-not-vietnamese">{t("predict.notVietnamese")}</span>
            ) : (
              <span className={`shrink-0 rounded-full px-2 py-0.5 text-xs font-medium ${labelBadgeClass(r.label)}`}>{t(`label.${r.label}`)}{r.uncertain ? "?" : ""}</span>
            )}
            <div className="min-w-0 flex-1">
              <span className="block min-w-0 flex-1 break-words">{r.text}</span>
              {r.aspects.length > 0 && (
                <span className="mt-1 flex flex-wrap gap-1" data-testid="predict-line-aspects">
                  {r.aspects.map((a) => (
                    <span key={a.aspect} data-aspect={a.aspect} data-polarity={a.polarity} className={`rounded-full px-2 py-0.5 text-xs ${labelBadgeClass(a.polarity)}`}>
                      {lang === "vi" ? a.name_vi : a.name_en}
                    </span>
                  ))}
                </span>
              )}
            </div>
            <span className="shrink-0 tabular-nums text-slate-500">
              {r.uncertain && !r.notVietnamese && <span className="mr-1 text-xs" data-testid="predict-line-uncertain">{t("predict.uncertain")}</span>}
              {percent(r.confidence, 0)}
            </span>
          </li>
        ))}
      </ol>
      <p className="text-xs text-slate-500">
        {t("predict.stored")} · <Link to="/history" className="text-orange-700 underline">{t("common.seeHistory")}</Link>
      </p>
    </div>
  );
}
