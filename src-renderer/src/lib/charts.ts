/**
 * chart.js for the Analysis page: only the pieces used are registered (tree-shaken bundle), and the
 * chart configurations are built here from plain data: the MOS-vs-metric scatter (a ScatterModel,
 * with MOS interval bars drawn by a small plugin) and the per-frame line charts. chart.js styles the
 * canvas through the CSSOM, which the CSP (style-src 'self') allows; it adds no <style> element.
 */
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  SubTitle,
  Title,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import { tickLabel, type ScatterModel } from './scatter-model';

Chart.register(ScatterController, LineController, PointElement, LineElement, LinearScale, Legend, Title, SubTitle, Tooltip);
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', sans-serif";
Chart.defaults.color = '#4a5263';
Chart.defaults.animation = false;

export { Chart };

/** Resolutions a chart's PNG is offered at: the screen's 1× and print resolutions (2× is the default). */
export const PNG_SCALES = [1, 2, 3, 4] as const;
export type PngScale = (typeof PNG_SCALES)[number];
export const DEFAULT_PNG_SCALE: PngScale = 2;

/**
 * The chart drawn anew at `scale` device pixels per CSS pixel, at its on-screen size in CSS pixels, as a
 * PNG data: URL on white: text, lines and points are redrawn at that resolution (not an upscaled bitmap).
 * The canvas is laid out off-screen for the drawing (chart.js measures it) and removed after.
 */
export function chartPngDataUrl(config: ChartConfiguration, cssWidth: number, cssHeight: number, scale: number): string {
  const holder = document.createElement('div');
  holder.style.position = 'fixed';
  holder.style.left = '-100000px';
  holder.style.top = '0';
  holder.style.width = `${cssWidth}px`;
  holder.style.height = `${cssHeight}px`;
  const canvas = document.createElement('canvas');
  canvas.width = cssWidth;
  canvas.height = cssHeight;
  holder.append(canvas);
  document.body.append(holder);
  const white: Plugin = {
    id: 'whiteBackground',
    beforeDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };
  const chart = new Chart(canvas, {
    ...config,
    plugins: [...(config.plugins ?? []), white],
    options: { ...config.options, responsive: false, maintainAspectRatio: false, animation: false, devicePixelRatio: scale },
  } as ChartConfiguration);
  try {
    chart.draw();
    return canvas.toDataURL('image/png');
  } finally {
    chart.destroy();
    holder.remove();
  }
}

const TEXT = '#1d2330';
const GRID = '#e4e7ed';

interface PointDatum {
  x: number;
  y: number;
  label: string;
  lo: number | null;
  hi: number | null;
}

/** Vertical MOS 95 % interval bars under the points of every scatter dataset that carries lo/hi. */
const intervalBars: Plugin<'scatter'> = {
  id: 'iqaIntervalBars',
  beforeDatasetsDraw(chart) {
    const { ctx, chartArea, scales } = chart;
    const y = scales.y;
    if (!y) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.clip();
    chart.data.datasets.forEach((ds, i) => {
      const meta = chart.getDatasetMeta(i);
      if (meta.hidden || (ds as { showLine?: boolean }).showLine) return;
      ctx.strokeStyle = String(ds.borderColor ?? TEXT);
      ctx.globalAlpha = 0.55;
      ctx.lineWidth = 1.25;
      (ds.data as unknown as PointDatum[]).forEach((d, j) => {
        const el = meta.data[j];
        if (!el || d.lo === null || d.hi === null) return;
        const top = y.getPixelForValue(d.hi);
        const bottom = y.getPixelForValue(d.lo);
        ctx.beginPath();
        ctx.moveTo(el.x, top);
        ctx.lineTo(el.x, bottom);
        ctx.moveTo(el.x - 3, top);
        ctx.lineTo(el.x + 3, top);
        ctx.moveTo(el.x - 3, bottom);
        ctx.lineTo(el.x + 3, bottom);
        ctx.stroke();
      });
    });
    ctx.restore();
  },
};

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(4));

export function scatterConfig(model: ScatterModel): ChartConfiguration<'scatter', PointDatum[]> {
  const datasets: ChartConfiguration<'scatter', PointDatum[]>['data']['datasets'] = model.series.map((s) => ({
    label: s.name || 'stimuli',
    data: s.points.map((p) => ({ x: p.x, y: p.y, label: p.label, lo: p.lo, hi: p.hi })),
    backgroundColor: s.color,
    borderColor: s.color,
    pointRadius: 4.5,
    pointHoverRadius: 6,
    pointBorderColor: '#ffffff',
    pointBorderWidth: 1,
    order: 1,
  }));
  if (model.curve) {
    datasets.push({
      label: model.curveLabel,
      data: model.curve.map((p) => ({ x: p.x, y: p.y, label: '', lo: null, hi: null })),
      showLine: true,
      borderColor: TEXT,
      backgroundColor: TEXT,
      borderWidth: 1.5,
      borderDash: [6, 4],
      pointRadius: 0,
      pointHoverRadius: 0,
      pointHitRadius: 0,
      pointStyle: 'line',
      order: 2,
    });
  }
  const showLegend = model.series.length > 1 || model.curve !== null;
  return {
    type: 'scatter',
    data: { datasets },
    plugins: [intervalBars],
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: {
          type: 'linear',
          min: model.xRange[0],
          max: model.xRange[1],
          ticks: { stepSize: model.xStep, callback: (v) => tickLabel(Number(v), model.xStep) },
          title: { display: true, text: model.xLabel, color: TEXT },
          grid: { color: GRID },
        },
        y: {
          type: 'linear',
          min: model.yRange[0],
          max: model.yRange[1],
          ticks: { stepSize: model.yStep, callback: (v) => tickLabel(Number(v), model.yStep) },
          title: { display: true, text: model.yLabel, color: TEXT },
          grid: { color: GRID },
        },
      },
      plugins: {
        title: { display: true, text: model.title, color: TEXT, font: { size: 14, weight: 'bold' } },
        subtitle: { display: true, text: model.subtitle, padding: { bottom: 6 } },
        legend: {
          display: showLegend,
          labels: { usePointStyle: true, boxHeight: 7, boxWidth: 7, filter: (item) => !(model.series.length === 1 && item.text === 'stimuli') },
        },
        tooltip: {
          filter: (item) => item.dataset.showLine !== true,
          callbacks: {
            label: (item) => {
              const d = item.raw as PointDatum;
              const ci = d.lo !== null && d.hi !== null ? ` [${d.lo.toFixed(2)}, ${d.hi.toFixed(2)}]` : '';
              return `${d.label}: ${fmt(d.x)} → ${d.y.toFixed(2)}${ci}`;
            },
          },
        },
      },
    },
  };
}

export interface FrameLine {
  title: string;
  yLabel: string;
  values: (number | null)[];
  color: string;
  /** A note under the title (∞ frames, NaN frames). */
  note: string;
}

export function frameLineConfig(line: FrameLine): ChartConfiguration<'line', { x: number; y: number | null }[]> {
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: line.yLabel,
          data: line.values.map((y, i) => ({ x: i, y })),
          borderColor: line.color,
          backgroundColor: line.color,
          borderWidth: 1.5,
          pointRadius: line.values.length > 60 ? 0 : 2.5,
          spanGaps: false,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'frame', color: TEXT }, ticks: { precision: 0 }, grid: { color: GRID } },
        y: { type: 'linear', title: { display: true, text: line.yLabel, color: TEXT }, grid: { color: GRID } },
      },
      plugins: {
        title: { display: true, text: line.title, color: TEXT, font: { size: 13, weight: 'bold' } },
        subtitle: { display: line.note !== '', text: line.note },
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => `frame ${items[0]?.parsed.x ?? ''}` } },
      },
    },
  };
}
