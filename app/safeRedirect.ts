// Only same-site paths are followed after login or a language switch (no open redirects). The value is parsed
// the way a browser will parse the Location header (new URL: tabs and newlines dropped, "\" read as "/"), and
// only a result on the app's own origin is kept; the placeholder origin stands for "this site" whatever its host.
const APP_ORIGIN = "https://app.invalid";

export function safeRedirectPath(value: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  const path = typeof value === "string" ? value : "";
  if (!path.startsWith("/")) return fallback;
  let url: URL;
  try {
    url = new URL(path, APP_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== APP_ORIGIN) return fallback;
  // Re-serialised by URL: percent-encoded, so no control character can reach a header.
  const result = `${url.pathname}${url.search}${url.hash}`;
  return result.startsWith("//") || result.startsWith("/\\") ? fallback : result;
}
