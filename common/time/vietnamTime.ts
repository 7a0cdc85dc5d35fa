// Dates as "dd/mm/yyyy hh:mm" in Vietnam's time (UTC+7 all year, no daylight saving). Computed by hand
// rather than with Intl so the server's render and the browser's hydration always produce the same text.
// The dashboard's daily counts (server and SQL) use the same offset.
export const VIETNAM_OFFSET_HOURS = 7;
const VIETNAM_OFFSET_MS = VIETNAM_OFFSET_HOURS * 60 * 60 * 1000;

export function formatVietnamTime(iso: string): string {
  const d = new Date(Date.parse(iso) + VIETNAM_OFFSET_MS);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** The date in Vietnam at an instant (default: now), "yyyy-mm-dd". */
export function vietnamDate(at = Date.now()): string {
  return new Date(at + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant Vietnam's day "yyyy-mm-dd" begins, as an ISO string in UTC. */
export function vietnamMidnight(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - VIETNAM_OFFSET_MS).toISOString();
}
