// ECharts views of what the API computed (AQI values and colours, tonnes): no math here.
import { BarChart, HeatmapChart, LineChart } from "echarts/charts";
import { CalendarComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent,
  VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { category, has, name, number, t } from "./i18n.js";

echarts.use([BarChart, HeatmapChart, LineChart, CalendarComponent, GridComponent, LegendComponent,
  MarkLineComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

const charts = new Set();
export function chart(el) {
  const existing = echarts.getInstanceByDom(el);
  if (existing) existing.dispose();
  const c = echarts.init(el, null, { renderer: "canvas" });
  charts.add(c);
  return c;
}
window.addEventListener("resize", () => { for (const c of charts) if (!c.isDisposed()) c.resize(); });

export function jurisdictionBars(el, jurisdictions) {
  chart(el).setOption({
    animation: false,
    grid: { left: 110, right: 40, top: 10, bottom: 30 },
    tooltip: { trigger: "item", formatter: (p) => `${p.name}: ${p.value} (${category(jurisdictions[p.dataIndex])})` },
    xAxis: { type: "value", name: "AQI" },
    yAxis: { type: "category", data: jurisdictions.map((j) => name(j) || j.jurisdiction), inverse: true },
    series: [{ type: "bar", data: jurisdictions.map((j) => ({ value: j.aqi, itemStyle: { color: j.colour } })),
      label: { show: true, position: "right" } }],
  });
}

export function carbonTrajectory(el, c) {
  const mt = (xs) => xs.map((x) => x / 1e6);
  chart(el).setOption({
    animation: false,
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => `${number(v, 2)} Mt` },
    xAxis: { type: "category", data: c.years.map(String) },
    yAxis: { type: "value", name: t("carbon.unit") },
    series: [
      { name: t("carbon.baseline"), type: "line", data: mt(c.baseline_t), showSymbol: false,
        lineStyle: { type: "dashed", color: "#888" }, itemStyle: { color: "#888" } },
      { name: t("carbon.net"), type: "line", data: mt(c.net_t), showSymbol: false, itemStyle: { color: "#2e7d32" },
        markLine: { symbol: "none", label: { formatter: "{b}", position: "insideEndTop" }, data: [
          { name: t("carbon.peakTarget"), xAxis: String(c.targets.peak_year), lineStyle: { color: "#c62828" } },
          { name: t("carbon.neutralityTarget"), xAxis: String(c.targets.neutrality_year), lineStyle: { color: "#1565c0" } },
        ] } },
    ],
  });
}

export function stationSeries(el, hourly) {
  const times = hourly.map((h) => h.observed_at);
  chart(el).setOption({
    animation: false,
    grid: { left: 50, right: 50, top: 40, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time" },
    yAxis: [{ type: "value", name: "AQI" }, { type: "value", name: "µg/m³" }],
    series: [
      { name: "AQI", type: "line", showSymbol: false, data: hourly.map((h, i) => [times[i], h.aqi]) },
      { name: "PM2.5", type: "line", showSymbol: false, yAxisIndex: 1, data: hourly.map((h, i) => [times[i], h.pm25]) },
      { name: "O₃", type: "line", showSymbol: false, yAxisIndex: 1, data: hourly.map((h, i) => [times[i], h.o3]) },
    ],
  });
}

export function dailyCalendar(el, daily) {
  const days = daily.filter((d) => d.aqi !== null);
  if (!days.length) return;
  chart(el).setOption({
    animation: false,
    tooltip: { formatter: (p) => `${p.value[0]}: AQI ${p.value[1]} ${category(days[p.dataIndex])}` },
    calendar: { range: [days[0].day, days[days.length - 1].day], cellSize: ["auto", 22], top: 30, left: 40, right: 20,
      dayLabel: { firstDay: 1, nameMap: t("calendar.days").split(",") },
      monthLabel: { nameMap: t("calendar.months").split(",") }, yearLabel: { show: false } },
    series: [{ type: "heatmap", coordinateSystem: "calendar",
      data: days.map((d) => ({ value: [d.day, d.aqi], itemStyle: { color: d.colour } })),
      label: { show: true, formatter: (p) => p.value[1] } }],
  });
}

// Pathway wedges: the net pathway, then each measure's abatement stacked up to the baseline.
export function carbonWedges(el, c, measureName) {
  const mt = (xs) => xs.map((x) => x / 1e6);
  const stacked = (name, data, extra = {}) => ({ name, type: "line", stack: "w", stackStrategy: "all", areaStyle: {}, showSymbol: false,
    lineStyle: { width: 0.5 }, data: mt(data), ...extra });
  chart(el).setOption({
    animation: false,
    grid: { left: 60, right: 20, top: 70, bottom: 30 },
    legend: { top: 0, type: "scroll" },
    tooltip: { trigger: "axis", valueFormatter: (v) => `${number(v, 2)} Mt` },
    xAxis: { type: "category", data: c.years.map(String) },
    yAxis: { type: "value", name: t("carbon.unit") },
    series: [stacked(t("carbon.net"), c.net_t, { itemStyle: { color: "#455a64" } }),
      ...Object.entries(c.wedges_t).map(([id, data]) => stacked(measureName(id), data))],
  });
}

export function carbonSectors(el, c) {
  chart(el).setOption({
    animation: false,
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => `${number(v, 2)} Mt` },
    xAxis: { type: "category", data: c.years.map(String) },
    yAxis: { type: "value", name: t("carbon.unit") },
    series: Object.entries(c.by_sector_t).map(([sector, data]) => ({
      name: has(`carbon.sector.${sector}`) ? t(`carbon.sector.${sector}`) : sector,
      type: "line", stack: "s", areaStyle: {}, showSymbol: false, data: data.map((x) => x / 1e6) })),
  });
}

// The log's size at each published checkpoint (a step line over publication time).
export function checkpointSizes(el, checkpoints) {
  const points = checkpoints.filter((c) => c.size !== null);
  chart(el).setOption({
    animation: false,
    grid: { left: 70, right: 20, top: 30, bottom: 30 },
    tooltip: { trigger: "axis", valueFormatter: (v) => number(v) },
    xAxis: { type: "time" },
    yAxis: { type: "value", name: t("ledger.size"), axisLabel: { formatter: (v) => number(v) } },
    series: [{ name: t("ledger.size"), type: "line", step: "end", showSymbol: points.length < 60,
      data: points.map((c) => [c.published, c.size]), itemStyle: { color: "#12355b" } }],
  });
}

// The 24-h-ahead PM2.5 forecast, the observed PM2.5 and the persistence baseline, hour by hour.
export function forecastChart(el, hours) {
  const series = (key, name, style) => ({ name, type: "line", showSymbol: false, connectNulls: false,
    data: hours.map((r) => [r.time, r[key]]), ...style });
  chart(el).setOption({
    animation: false,
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "—" : `${number(v, 1)} µg/m³`) },
    xAxis: { type: "time" },
    yAxis: { type: "value", name: "PM2.5 µg/m³" },
    series: [
      series("observed", t("forecast.observed"), { itemStyle: { color: "#1d2630" }, lineStyle: { width: 2 } }),
      series("forecast", t("forecast.forecast"), { itemStyle: { color: "#1565c0" } }),
      series("persistence", t("forecast.persistence"), { itemStyle: { color: "#9e9e9e" }, lineStyle: { type: "dashed" } }),
    ],
  });
}

// The Monte Carlo fan: bands p5–p95 and p25–p75 of the yearly net emissions, the median and the
// central pathway (stacked areas: the lower edge is transparent, each band the difference).
export function carbonFan(el, c) {
  const f = c.fan_t;
  const mt = (xs) => xs.map((x) => x / 1e6);
  const diff = (hi, lo) => hi.map((x, i) => (x - lo[i]) / 1e6);
  const band = (name, data, color, stack) => ({ name, type: "line", stack, data, showSymbol: false,
    lineStyle: { opacity: 0 }, areaStyle: color ? { color } : { opacity: 0 }, itemStyle: { color: color ?? "transparent" },
    tooltip: { show: false } });
  chart(el).setOption({
    animation: false,
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    legend: { top: 0, data: [t("carbon.fan90"), t("carbon.fan50"), t("carbon.median"), t("carbon.net")] },
    tooltip: { trigger: "axis", valueFormatter: (v) => `${number(v, 2)} Mt` },
    xAxis: { type: "category", data: c.years.map(String), boundaryGap: false },
    yAxis: { type: "value", name: t("carbon.unit") },
    series: [
      band("p5", mt(f.p5), null, "outer"),
      band(t("carbon.fan90"), diff(f.p95, f.p5), "rgba(46,125,50,0.18)", "outer"),
      band("p25", mt(f.p25), null, "inner"),
      band(t("carbon.fan50"), diff(f.p75, f.p25), "rgba(46,125,50,0.35)", "inner"),
      { name: t("carbon.median"), type: "line", data: mt(f.p50), showSymbol: false, itemStyle: { color: "#2e7d32" },
        lineStyle: { type: "dotted" } },
      { name: t("carbon.net"), type: "line", data: mt(c.net_t), showSymbol: false, itemStyle: { color: "#1d2630" },
        markLine: { symbol: "none", label: { formatter: "{b}", position: "insideEndTop" }, data: [
          { name: t("carbon.peakTarget"), xAxis: String(c.targets.peak_year), lineStyle: { color: "#c62828" } }] } },
    ],
  });
}

// A GPC inventory: emissions of each sector, stacked by scope [Mt CO2e].
export function inventoryBars(el, inv, sectorName) {
  const scopes = ["1", "2", "3"];
  const colours = { 1: "#455a64", 2: "#f9a825", 3: "#8e24aa" };
  chart(el).setOption({
    animation: false,
    grid: { left: 170, right: 30, top: 30, bottom: 30 },
    legend: { top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v) => `${number(v, 3)} Mt` },
    xAxis: { type: "value", name: t("carbon.unitE") },
    yAxis: { type: "category", inverse: true, data: inv.sectors.map((s) => `${s.sector} ${sectorName(s)}`) },
    series: scopes.map((k) => ({ name: t(`carbon.scope${k}`), type: "bar", stack: "scope",
      itemStyle: { color: colours[k] }, data: inv.sectors.map((s) => s.by_scope_t[k] / 1e6) })),
  });
}
