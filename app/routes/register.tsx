import type { ActionFunctionArgs } from "@remix-run/node";
import { AuthPage } from "../components/AuthForm.tsx";
import { authAction, authLoader } from "../authAction.server.ts";
import { titleMeta } from "../pageMeta.ts";

export const meta = titleMeta("auth.registerTitle");
export const loader = authLoader;
export const action = (args: ActionFunctionArgs) => authAction(args, "register");

export default function RegisterPage() {
  return <AuthPage mode="register" />;
}
