// Only same-site paths are followed after login or a language switch (no open redirects).
export function safeRedirectPath(value: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  const path = typeof value === "string" ? value : "";
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : fallback;
}
