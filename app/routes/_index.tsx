import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { toActionError } from "../actionErrors.server.ts";
import { ProbabilityBars } from "../components/ProbabilityBars.tsx";
import { useLang } from "../useLang.ts";
import { titleMeta } from "../pageMeta.ts";

export const meta = titleMeta();

export async function loader({ context }: LoaderFunctionArgs) {
  return json({ maxChars: context.config.maxTextChars, model: await context.caller.predict.model() });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const text = String(form.get("text") ?? "");
  try {
    const result = await context.caller.predict.single({ text });
    return json({ ok: true as const, result, text });
  } catch (error) {
    const actionError = toActionError(error);
    return json({ ok: false as const, error: actionError, text }, { status: actionError.status });
  }
}

export default function AnalysePage() {
  const { maxChars } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const { t } = useLang();
  const [length, setLength] = useState(data?.text.length ?? 0);
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <section>
        <h1 className="mb-3 text-2xl font-semibold">{t("predict.title")}</h1>
        <Form method="post" className="space-y-3">
          <textarea name="text" rows={7} defaultValue={data?.text} maxLength={maxChars} onChange={(e) => setLength(e.target.value.length)}
            placeholder={t("predict.placeholder")} aria-label={t("predict.title")} data-testid="predict-text"
            aria-invalid={data && !data.ok ? true : undefined} aria-describedby="predict-error"
            className="w-full rounded-md border border-slate-300 p-3 focus:border-orange-500 focus:outline-none" />
          <div className="flex items-center justify-between">
            <span className="text-xs text-slate-500">{t("predict.chars", { count: length, max: maxChars })}</span>
            <button type="submit" disabled={busy} className="rounded-md bg-orange-600 px-4 py-2 font-medium text-white hover:bg-orange-700 disabled:opacity-60">
              {busy ? t("predict.running") : t("predict.submit")}
            </button>
          </div>
          {data && !data.ok && (
            <p id="predict-error" role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-800">{t(data.error.messageKey, { max: maxChars })}</p>
          )}
        </Form>
      </section>
      <section aria-live="polite">
        {busy && <div className="h-2 w-full animate-pulse rounded bg-orange-200" role="progressbar" aria-label={t("predict.running")} />}
        {data?.ok && (
          <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="predict-result">
            <h2 className="text-sm text-slate-500">{t("predict.result")}</h2>
            <p className="mb-3 text-3xl font-bold" data-testid="predict-label" data-label={data.result.label}>
              {t(`label.${data.result.label}`)} <span className="text-base font-normal text-slate-500">{(data.result.confidence * 100).toFixed(1)}%</span>
            </p>
            <ProbabilityBars probabilities={data.result.probabilities} />
            <p className="mt-3 text-xs text-slate-500">
              {t("predict.tokens", { count: data.result.tokenCount })}
              {data.result.windowed ? ` · ${t("predict.windowed")}` : ""} · {t("predict.model", { id: data.result.modelId, version: data.result.modelVersion })}
            </p>
            <p className="mt-1 text-xs text-slate-500">{data.result.stored ? t("predict.stored") : t("predict.notStored")}</p>
          </div>
        )}
      </section>
    </div>
  );
}
