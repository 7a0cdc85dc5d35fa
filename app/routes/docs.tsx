import { ComingSoon } from "../components/ComingSoon.tsx";
import { titleMeta } from "../pageMeta.ts";

export const meta = titleMeta("page.docs");

export default function Page() {
  return <ComingSoon titleKey="page.docs" />;
}
