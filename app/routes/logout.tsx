import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useLang } from "../useLang.ts";
import { titleMeta } from "../pageMeta.ts";

export const meta = titleMeta("auth.logoutTitle");

export async function loader({ context }: LoaderFunctionArgs) {
  if (!context.user) return redirect("/login");
  return json({ email: context.user.email });
}

export async function action({ context }: ActionFunctionArgs) {
  if (context.user) await context.caller.auth.logout();
  return redirect("/");
}

export default function LogoutPage() {
  const { email } = useLoaderData<typeof loader>();
  const { t } = useLang();
  return (
    <div className="mx-auto max-w-sm rounded-lg border border-slate-200 bg-white p-6 text-center shadow-sm">
      <h1 className="mb-2 text-xl font-semibold">{t("auth.logoutTitle")}</h1>
      <p className="mb-4 text-slate-600">{t("auth.logoutConfirm", { email })}</p>
      <Form method="post">
        <button type="submit" className="w-full rounded-md bg-orange-600 px-4 py-2 font-medium text-white hover:bg-orange-700">{t("nav.logout")}</button>
      </Form>
    </div>
  );
}
