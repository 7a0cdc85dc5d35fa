// One ECharts chart in a box: a placeholder while the library loads in the browser, the chart drawn as SVG
// (crisp on phones, readable by tests), redrawn when its box changes size.
import type { EChartsCoreOption } from "echarts/core";
import { useEffect, useRef, useState } from "react";
import { useLang } from "../useLang.ts";

type Props = {
  option: EChartsCoreOption;
  /** What the chart shows, for screen readers. */
  label: string;
  className?: string;
  testId?: string;
  /** Called with the name of the bar, slice or word that was clicked, and the name of its series. */
  onItemClick?: (name: string, seriesName: string) => void;
};

export function Chart({ option, label, className = "h-64", testId, onItemClick }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const clickHandler = useRef(onItemClick);
  clickHandler.current = onItemClick;
  const [state, setState] = useState<"loading" | "ready" | "failed">("loading");
  const { t } = useLang();
  const optionKey = JSON.stringify(option);

  useEffect(() => {
    let disposed = false;
    let dispose = () => {};
    import("./echarts.client.ts")
      .then(({ echarts }) => {
        const element = box.current;
        if (disposed || !element) return;
        const chart = echarts.init(element, undefined, { renderer: "svg" });
        chart.setOption(option);
        chart.on("click", (params) => {
          const { name, seriesName } = params as { name?: unknown; seriesName?: unknown };
          clickHandler.current?.(String(name ?? ""), String(seriesName ?? ""));
        });
        // Redraw only on a real size change: the observer also reports the first size, and a needless resize
        // lays a word cloud out again, moving its words under the reader's pointer.
        let { width, height } = element.getBoundingClientRect();
        const observer = new ResizeObserver(([entry]) => {
          const size = entry!.contentRect;
          if (size.width === width && size.height === height) return;
          ({ width, height } = size);
          chart.resize();
        });
        observer.observe(element);
        dispose = () => {
          observer.disconnect();
          chart.dispose();
        };
        setState("ready");
      })
      .catch((error: unknown) => {
        console.error(error);
        if (!disposed) setState("failed");
      });
    return () => {
      disposed = true;
      dispose();
    };
    // The option is compared by value: loaders hand a new object on every render.
  }, [optionKey]);

  return (
    <div className={`relative ${className}`}>
      <div ref={box} role="img" aria-label={label} data-testid={testId} data-state={state} className="absolute inset-0" />
      {state !== "ready" && (
        <div className={`absolute inset-0 flex items-center justify-center rounded-md text-sm text-slate-500 ${state === "loading" ? "animate-pulse bg-slate-100" : "bg-red-50 text-red-800"}`}>
          {state === "loading" ? t("dashboard.loading") : t("dashboard.chartFailed")}
        </div>
      )}
    </div>
  );
}
