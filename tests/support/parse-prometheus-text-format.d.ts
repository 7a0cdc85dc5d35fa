// Types for parse-prometheus-text-format, which ships none: families of samples, values as strings.
declare module "parse-prometheus-text-format" {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
