import { ComingSoon } from "../components/ComingSoon.tsx";

export default function Page() {
  return <ComingSoon titleKey="page.docs" />;
}
