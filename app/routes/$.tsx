// Any URL no other route matches: a 404 rendered inside the layout, where the root loader's language is known.
import { ErrorPage } from "../components/ErrorPage.tsx";
import { titleMeta } from "../pageMeta.ts";

export const meta = titleMeta("error.notFound");

export async function loader() {
  throw new Response("Not found", { status: 404 });
}

export default function NotFound() {
  return null;
}

export const ErrorBoundary = ErrorPage;
