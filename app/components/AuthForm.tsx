import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useLang } from "../useLang.ts";
import type { ActionError } from "../actionErrors.server.ts";

export function AuthForm(props: { mode: "login" | "register"; error?: ActionError | null; email?: string; minPasswordLength: number }) {
  const { t } = useLang();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const fieldError = (field: string) => (props.error?.field === field ? t(props.error.messageKey, { ...props.error.params, min: props.minPasswordLength }) : null);
  const formError = props.error && !props.error.field ? t(props.error.messageKey, { ...props.error.params, min: props.minPasswordLength }) : null;
  const emailError = fieldError("email");
  const passwordError = fieldError("password");
  return (
    <div className="mx-auto max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="mb-4 text-xl font-semibold">{t(props.mode === "login" ? "auth.loginTitle" : "auth.registerTitle")}</h1>
      <Form method="post" noValidate className="space-y-4">
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <div>
          <label htmlFor="email" className="block text-sm font-medium">{t("auth.email")}</label>
          <input id="email" name="email" type="email" autoComplete="email" defaultValue={props.email} required
            aria-invalid={emailError ? true : undefined} aria-describedby={emailError ? "email-error" : undefined}
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-orange-500 focus:outline-none" />
          {emailError && <p id="email-error" role="alert" className="mt-1 text-sm text-red-700">{emailError}</p>}
        </div>
        <div>
          <label htmlFor="password" className="block text-sm font-medium">{t("auth.password")}</label>
          <input id="password" name="password" type="password" required minLength={props.mode === "register" ? props.minPasswordLength : undefined}
            autoComplete={props.mode === "login" ? "current-password" : "new-password"}
            aria-invalid={passwordError ? true : undefined} aria-describedby={passwordError ? "password-error" : "password-hint"}
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-orange-500 focus:outline-none" />
          {props.mode === "register" && !passwordError && <p id="password-hint" className="mt-1 text-xs text-slate-500">{t("auth.passwordHint", { min: props.minPasswordLength })}</p>}
          {passwordError && <p id="password-error" role="alert" className="mt-1 text-sm text-red-700">{passwordError}</p>}
        </div>
        {formError && <p role="alert" data-testid="form-error" className="rounded-md bg-red-50 p-2 text-sm text-red-800">{formError}</p>}
        <button type="submit" disabled={busy} className="w-full rounded-md bg-orange-600 px-4 py-2 font-medium text-white hover:bg-orange-700 disabled:opacity-60">
          {t(props.mode === "login" ? "auth.loginSubmit" : "auth.registerSubmit")}
        </button>
      </Form>
      <p className="mt-4 text-sm text-slate-600">
        {props.mode === "login" ? t("auth.noAccount") : t("auth.haveAccount")}{" "}
        <Link to={props.mode === "login" ? "/register" : "/login"} className="text-orange-700 underline">
          {t(props.mode === "login" ? "nav.register" : "nav.login")}
        </Link>
      </p>
    </div>
  );
}

/** The whole login or register page: reads the route's loader ({ minPasswordLength }) and action data. */
export function AuthPage({ mode }: { mode: "login" | "register" }) {
  const data = useActionData<{ error?: ActionError; email?: string }>();
  const { minPasswordLength } = useLoaderData<{ minPasswordLength: number }>();
  return <AuthForm mode={mode} error={data?.error} email={data?.email} minPasswordLength={minPasswordLength} />;
}
