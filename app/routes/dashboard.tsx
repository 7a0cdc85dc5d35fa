import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { ComingSoon } from "../components/ComingSoon.tsx";
import { requireUser } from "../requireUser.server.ts";
import { titleMeta } from "../pageMeta.ts";

export const meta = titleMeta("page.dashboard");

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireUser(request, context);
  return json({});
}

export default function Page() {
  return <ComingSoon titleKey="page.dashboard" />;
}
