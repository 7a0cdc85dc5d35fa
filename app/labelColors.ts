// One colour per sentiment label, everywhere it is drawn; labels of other models fall back to orange.
const BAR: Record<string, string> = { negative: "bg-red-500", neutral: "bg-slate-400", positive: "bg-emerald-500" };
const BADGE: Record<string, string> = {
  negative: "bg-red-100 text-red-800",
  neutral: "bg-slate-200 text-slate-800",
  positive: "bg-emerald-100 text-emerald-800",
};

export const labelBarClass = (label: string) => BAR[label] ?? "bg-orange-500";
export const labelBadgeClass = (label: string) => BADGE[label] ?? "bg-orange-100 text-orange-800";
