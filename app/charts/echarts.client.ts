// ECharts trimmed to the charts we draw, plus the word-cloud series. Both touch `window`, so this module is
// browser-only (the .client suffix keeps it out of the server build) and is loaded with a dynamic import.
import * as echarts from "echarts/core";
import { BarChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";
import "echarts-wordcloud";

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export { echarts };
