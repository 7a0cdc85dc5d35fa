// Sentiment labels in the UI: one colour each, everywhere they are drawn (labels of other models fall back
// to orange), and the order they are listed in.
const BAR: Record<string, string> = { negative: "bg-red-500", neutral: "bg-slate-400", positive: "bg-emerald-500" };
const BADGE: Record<string, string> = {
  negative: "bg-red-100 text-red-800",
  neutral: "bg-slate-200 text-slate-800",
  positive: "bg-emerald-100 text-emerald-800",
};
/** The same colours for charts (Tailwind's red-500, slate-400, emerald-500, orange-500). */
const HEX: Record<string, string> = { negative: "#ef4444", neutral: "#94a3b8", positive: "#10b981" };
/** Darker shades for words in a cloud, readable on white. */
const TEXT_HEX: Record<string, string[]> = {
  negative: ["#b91c1c", "#dc2626", "#991b1b"],
  neutral: ["#475569", "#334155", "#64748b"],
  positive: ["#047857", "#059669", "#065f46"],
};

export const labelBarClass = (label: string) => BAR[label] ?? "bg-orange-500";
export const labelBadgeClass = (label: string) => BADGE[label] ?? "bg-orange-100 text-orange-800";
export const labelHex = (label: string) => HEX[label] ?? "#f97316";
export const labelTextHexes = (label: string) => TEXT_HEX[label] ?? ["#c2410c", "#ea580c", "#9a3412"];

/** The model's labels in its order, then any other label older predictions carry, alphabetically. */
export function labelOrder(modelLabels: string[], counts: Record<string, number>): string[] {
  return [...modelLabels, ...Object.keys(counts).filter((l) => !modelLabels.includes(l)).sort()];
}
