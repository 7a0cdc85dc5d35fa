import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { LANG_COOKIE, LANGUAGES, parseLang } from "#common/i18n/messages.ts";
import { formatVietnamTime } from "#common/time/vietnamTime.ts";
import { toActionError, type ActionError } from "../actionErrors.server.ts";
import { titleMeta } from "../pageMeta.ts";
import { requireUser } from "../requireUser.server.ts";
import { useLang } from "../useLang.ts";

export const meta = titleMeta("page.settings");

const EXPIRY_CHOICES = ["30", "90", "365", ""] as const;

type Intent = "createToken" | "revokeToken" | "changePassword" | "setLanguage" | "signOutEverywhere" | "deleteAccount";
type ActionData = { intent: Intent; error?: ActionError; created?: { name: string; token: string }; done?: boolean };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(request, context);
  const { tokens } = await context.caller.tokens.list();
  const { minPasswordLength, apiTokenMaxDays } = context.config;
  return json({ email: user.email, tokens, minPasswordLength, apiTokenMaxDays });
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireUser(request, context);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "") as Intent;
  const field = (name: string) => String(form.get(name) ?? "");
  try {
    switch (intent) {
      case "createToken": {
        const days = field("expiresInDays");
        const created = await context.caller.tokens.create({ name: field("name"), expiresInDays: days ? Number(days) : null });
        return json<ActionData>({ intent, created: { name: created.name, token: created.token } });
      }
      case "revokeToken":
        await context.caller.tokens.revoke({ id: field("id") });
        return json<ActionData>({ intent, done: true });
      case "changePassword":
        await context.caller.account.changePassword({ currentPassword: field("currentPassword"), newPassword: field("newPassword") });
        return json<ActionData>({ intent, done: true });
      case "setLanguage": {
        const lang = parseLang(field("lang"));
        await context.caller.account.setLanguage({ locale: lang });
        return redirect("/settings", { headers: { "Set-Cookie": `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax` } });
      }
      case "signOutEverywhere":
        await context.caller.account.signOutEverywhere();
        return redirect("/login");
      case "deleteAccount":
        await context.caller.account.delete({ password: field("password") });
        return redirect("/");
      default:
        return json<ActionData>({ intent, error: { messageKey: "error.invalidInput", params: {}, field: null, status: 400 } }, { status: 400 });
    }
  } catch (error) {
    const actionError = toActionError(error);
    return json<ActionData>({ intent, error: actionError }, { status: actionError.status });
  }
}

const inputClass = "mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-orange-500 focus:outline-none";
const buttonClass = "rounded-md bg-orange-600 px-4 py-2 font-medium text-white hover:bg-orange-700 disabled:opacity-60";
const dangerClass = "rounded-md bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-800 disabled:opacity-60";

function Section(props: { title: string; testId: string; children: React.ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6" data-testid={props.testId}>
      <h2 className="mb-3 text-lg font-semibold">{props.title}</h2>
      {props.children}
    </section>
  );
}

function ErrorLine({ data, intent, min, max }: { data: ActionData | undefined; intent: Intent; min: number; max: number }) {
  const { t } = useLang();
  if (data?.intent !== intent || !data.error) return null;
  return (
    <p role="alert" data-testid={`${intent}-error`} className="mt-2 rounded-md bg-red-50 p-2 text-sm text-red-800">
      {t(data.error.messageKey, { ...data.error.params, min, max })}
    </p>
  );
}

function CreatedToken({ name, token }: { name: string; token: string }) {
  const { t } = useLang();
  const [copied, setCopied] = useState(false);
  return (
    <div className="mt-3 rounded-md border border-green-300 bg-green-50 p-3" data-testid="created-token">
      <p className="text-sm text-green-900">{t("settings.tokenCreated", { name })}</p>
      <div className="mt-2 flex gap-2">
        <input readOnly value={token} data-testid="created-token-value" aria-label={name} onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 font-mono text-sm" />
        <button type="button" data-testid="copy-token" className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100"
          onClick={() => void navigator.clipboard.writeText(token).then(() => setCopied(true))}>
          {copied ? t("settings.copied") : t("settings.copy")}
        </button>
      </div>
    </div>
  );
}

export default function SettingsPage() {
  const { email, tokens, minPasswordLength, apiTokenMaxDays } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const { lang, t } = useLang();
  const busy = useNavigation().state !== "idle";
  const when = (iso: string | null, none: string) => (iso ? formatVietnamTime(iso) : none);
  const now = Date.now();
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <h1 className="text-2xl font-semibold">{t("page.settings")}</h1>

      <Section title={t("settings.tokensTitle")} testId="tokens">
        <p className="mb-3 text-sm text-slate-600">{t("settings.tokensIntro")}</p>
        <Form method="post" className="flex flex-col gap-3 sm:flex-row sm:items-end" data-testid="create-token-form">
          <input type="hidden" name="intent" value="createToken" />
          <div className="flex-1">
            <label htmlFor="token-name" className="block text-sm font-medium">{t("settings.tokenName")}</label>
            <input id="token-name" name="name" required maxLength={100} placeholder={t("settings.tokenNamePlaceholder")} className={inputClass} />
          </div>
          <div>
            <label htmlFor="token-expiry" className="block text-sm font-medium">{t("settings.tokenExpiry")}</label>
            <select id="token-expiry" name="expiresInDays" defaultValue={apiTokenMaxDays >= 90 ? "90" : ""} className={inputClass}>
              {EXPIRY_CHOICES.filter((days) => Number(days) <= apiTokenMaxDays).map((days) => (
                <option key={days} value={days}>{days ? t("settings.expiryDays", { days }) : t("settings.expiryNever")}</option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={busy} className={buttonClass}>{t("settings.createToken")}</button>
        </Form>
        <ErrorLine data={data} intent="createToken" min={minPasswordLength} max={apiTokenMaxDays} />
        {data?.intent === "createToken" && data.created && <CreatedToken {...data.created} />}
        {tokens.length === 0 ? (
          <p className="mt-4 text-sm text-slate-500">{t("settings.noTokens")}</p>
        ) : (
          <ul className="mt-4 divide-y divide-slate-100" data-testid="token-list">
            {tokens.map((token) => {
              const expired = token.expiresAt !== null && new Date(token.expiresAt).getTime() <= now;
              const status = token.revokedAt ? "revoked" : expired ? "expired" : "active";
              return (
                <li key={token.id} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center" data-testid="token-item" data-status={status}>
                  <div className="min-w-0 flex-1 text-sm">
                    <p className="font-medium break-words" data-testid="token-name">{token.name}</p>
                    <p className="text-slate-600">
                      {t("settings.created")}: {when(token.createdAt, "")} · {t("settings.lastUsed")}: {when(token.lastUsedAt, t("settings.never"))} ·{" "}
                      {t("settings.expires")}: {when(token.expiresAt, t("settings.noExpiry"))}
                    </p>
                  </div>
                  {status === "active" ? (
                    <Form method="post" onSubmit={(e) => { if (!confirm(t("settings.revokeConfirm", { name: token.name }))) e.preventDefault(); }}>
                      <input type="hidden" name="intent" value="revokeToken" />
                      <input type="hidden" name="id" value={token.id} />
                      <button type="submit" disabled={busy} data-testid="revoke-token" className="rounded-md border border-red-300 px-3 py-1 text-sm text-red-800 hover:bg-red-50">{t("settings.revoke")}</button>
                    </Form>
                  ) : (
                    <span className="text-sm text-slate-500" data-testid="token-status">{t(status === "revoked" ? "settings.revoked" : "settings.expired")}</span>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </Section>

      <Section title={t("settings.passwordTitle")} testId="password">
        <p className="mb-3 text-sm text-slate-600">{t("settings.passwordNote")}</p>
        <Form method="post" className="space-y-3" data-testid="password-form">
          <input type="hidden" name="intent" value="changePassword" />
          <input type="hidden" name="username" value={email} autoComplete="username" />
          <div>
            <label htmlFor="current-password" className="block text-sm font-medium">{t("settings.currentPassword")}</label>
            <input id="current-password" name="currentPassword" type="password" required autoComplete="current-password" className={inputClass} />
          </div>
          <div>
            <label htmlFor="new-password" className="block text-sm font-medium">{t("settings.newPassword")}</label>
            <input id="new-password" name="newPassword" type="password" required minLength={minPasswordLength} autoComplete="new-password" className={inputClass} />
            <p className="mt-1 text-xs text-slate-500">{t("auth.passwordHint", { min: minPasswordLength })}</p>
          </div>
          <button type="submit" disabled={busy} className={buttonClass}>{t("settings.changePassword")}</button>
        </Form>
        <ErrorLine data={data} intent="changePassword" min={minPasswordLength} max={apiTokenMaxDays} />
        {data?.intent === "changePassword" && data.done && (
          <p role="status" data-testid="password-changed" className="mt-2 rounded-md bg-green-50 p-2 text-sm text-green-900">{t("settings.passwordChanged")}</p>
        )}
      </Section>

      <Section title={t("settings.languageTitle")} testId="language">
        <Form method="post" className="flex items-end gap-3">
          <input type="hidden" name="intent" value="setLanguage" />
          <select name="lang" defaultValue={lang} aria-label={t("settings.languageTitle")} className={inputClass + " max-w-xs"} data-testid="language-select">
            {LANGUAGES.map((code) => (
              <option key={code} value={code}>{code === "vi" ? "Tiếng Việt" : "English"}</option>
            ))}
          </select>
          <button type="submit" disabled={busy} className={buttonClass}>{t("settings.saveLanguage")}</button>
        </Form>
      </Section>

      <Section title={t("settings.sessionsTitle")} testId="sessions">
        <p className="mb-3 text-sm text-slate-600">{t("settings.sessionsNote")}</p>
        <Form method="post">
          <input type="hidden" name="intent" value="signOutEverywhere" />
          <button type="submit" disabled={busy} className={buttonClass} data-testid="sign-out-everywhere">{t("settings.signOutEverywhere")}</button>
        </Form>
      </Section>

      <Section title={t("settings.deleteTitle")} testId="delete">
        <p className="mb-3 text-sm text-slate-600">{t("settings.deleteNote")}</p>
        <Form method="post" className="space-y-3" data-testid="delete-form" onSubmit={(e) => { if (!confirm(t("settings.deleteConfirm", { email }))) e.preventDefault(); }}>
          <input type="hidden" name="intent" value="deleteAccount" />
          <div>
            <label htmlFor="delete-password" className="block text-sm font-medium">{t("settings.deletePassword")}</label>
            <input id="delete-password" name="password" type="password" required autoComplete="current-password" className={inputClass} />
          </div>
          <button type="submit" disabled={busy} className={dangerClass}>{t("settings.deleteAccount")}</button>
        </Form>
        <ErrorLine data={data} intent="deleteAccount" min={minPasswordLength} max={apiTokenMaxDays} />
      </Section>
    </div>
  );
}
