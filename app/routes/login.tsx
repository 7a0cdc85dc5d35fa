import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { AuthForm } from "../components/AuthForm.tsx";
import { authAction } from "../authAction.server.ts";

export const meta: MetaFunction = () => [{ title: "Đăng nhập · Cảm xúc" }];

export async function loader({ context }: LoaderFunctionArgs) {
  if (context.user) return redirect("/");
  return json({ minPasswordLength: context.config.minPasswordLength });
}

export const action = (args: ActionFunctionArgs) => authAction(args, "login");

export default function LoginPage() {
  const data = useActionData<typeof action>();
  const { minPasswordLength } = useLoaderData<typeof loader>();
  return <AuthForm mode="login" error={data?.error} email={data?.email} minPasswordLength={minPasswordLength} />;
}
