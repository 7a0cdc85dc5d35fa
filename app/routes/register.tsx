import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { AuthPage } from "../components/AuthForm.tsx";
import { authAction, authLoader } from "../authAction.server.ts";

export const meta: MetaFunction = () => [{ title: "Đăng ký · Cảm xúc" }];
export const loader = authLoader;
export const action = (args: ActionFunctionArgs) => authAction(args, "register");

export default function RegisterPage() {
  return <AuthPage mode="register" />;
}
