import { useLang } from "../useLang.ts";

export type ModelKind = "fast" | "accurate";

/** Fast (the default) or accurate: shown only where the server has an accurate model. A form field named "model";
 * controlled when `value` is given (the batch page sends it itself). */
export function ModelChoice({ value, onChange }: { value?: ModelKind; onChange?: (kind: ModelKind) => void }) {
  const { t } = useLang();
  const option = (kind: ModelKind, label: string) => (
    <label className="flex items-center gap-1">
      <input type="radio" name="model" value={kind} data-testid={`model-${kind}`} className="accent-orange-600"
        {...(value === undefined ? { defaultChecked: kind === "fast" } : { checked: value === kind, onChange: () => onChange?.(kind) })} />
      {label}
    </label>
  );
  return (
    <fieldset className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm" data-testid="model-choice">
      <legend className="sr-only">{t("predict.modelChoice")}</legend>
      <span className="text-slate-600" aria-hidden="true">{t("predict.modelChoice")}:</span>
      {option("fast", t("predict.modelFast"))}
      {option("accurate", t("predict.modelAccurate"))}
    </fieldset>
  );
}
