// The ECharts option of one label's word cloud (dashboard and batch pages draw the same clouds).
import { labelTextHexes } from "../labels.ts";

export function wordCloudOption(label: string, terms: { term: string; count: number }[]) {
  const shades = labelTextHexes(label);
  return {
    tooltip: { trigger: "item", confine: true, formatter: "{b}: {c}" },
    series: [{
      type: "wordCloud",
      width: "100%",
      height: "100%",
      sizeRange: [12, 38],
      rotationRange: [0, 0],
      gridSize: 6,
      layoutAnimation: false,
      textStyle: { fontFamily: "system-ui, sans-serif", fontWeight: 600 },
      data: terms.map((term, i) => ({ name: term.term, value: term.count, textStyle: { color: shades[i % shades.length] } })),
    }],
  };
}
