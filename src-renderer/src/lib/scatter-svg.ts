/**
 * The Analysis figures as standalone SVG documents (for papers: vector, editable). One plot frame
 * (title, subtitle, grid, nice ticks, axis labels, a clip path around the plot area) is shared by
 * both figures:
 * - scatterSvg: the MOS-vs-metric scatter from the same ScatterModel as its canvas: MOS 95 % interval
 *   bars, points coloured by the breakdown value with a legend, and the fitted mapping curve;
 * - frameCurveSvg: one per-frame metric curve of a video (lib/frame-curves.ts), the line broken where
 *   a frame cannot be plotted, titled with the stimulus and its MOS like its canvas.
 * Pure string building (same input, same bytes), tested in test/renderer/scatter.test.ts.
 */
import type { FrameCurve } from './frame-curves';
import { niceRange, niceTicks, tickLabel, type ScatterModel } from './scatter-model';

export interface SvgOptions {
  width?: number;
  height?: number;
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const f = (v: number): string => (Math.round(v * 100) / 100).toString();

type Ticks = { ticks: number[]; step: number };

/** Ticks at the whole multiples of `step` within [lo, hi]. */
function stepTicks(lo: number, hi: number, step: number): Ticks {
  const t: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) t.push(Number((k * step).toPrecision(12)));
  return { ticks: t, step };
}

interface PlotFrame {
  width: number;
  height: number;
  /** Top margin: room for the title, the subtitle and a legend. */
  top: number;
  title: string;
  /** Under the title; '' for none. */
  subtitle: string;
  xLabel: string;
  yLabel: string;
  xRange: [number, number];
  yRange: [number, number];
  xTicks: Ticks;
  yTicks: Ticks;
}

interface Plot {
  sx: (x: number) => number;
  sy: (y: number) => number;
  left: number;
}

/** The frame around a figure; `draw` gives the data (clipped to the plot area) and the legend. */
function plotSvg(frame: PlotFrame, draw: (plot: Plot) => { data: string[]; legend?: string[] }): string {
  const { width, height } = frame;
  const m = { left: 64, right: 20, top: frame.top, bottom: 52 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const [x0, x1] = frame.xRange;
  const [y0, y1] = frame.yRange;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>${esc(frame.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<defs><clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold" fill="#1d2330">${esc(frame.title)}</text>`);
  if (frame.subtitle) out.push(`<text x="${width / 2}" y="38" text-anchor="middle" fill="#6b7385">${esc(frame.subtitle)}</text>`);

  // grid and ticks
  const xt = frame.xTicks;
  const yt = frame.yTicks;
  out.push('<g stroke="#e4e7ed" stroke-width="1">');
  for (const t of xt.ticks) out.push(`<line x1="${f(sx(t))}" y1="${m.top}" x2="${f(sx(t))}" y2="${m.top + ph}"/>`);
  for (const t of yt.ticks) out.push(`<line x1="${m.left}" y1="${f(sy(t))}" x2="${m.left + pw}" y2="${f(sy(t))}"/>`);
  out.push('</g>');
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#8a93a3"/>`);
  out.push('<g fill="#4a5263" font-size="11">');
  for (const t of xt.ticks) out.push(`<text x="${f(sx(t))}" y="${m.top + ph + 16}" text-anchor="middle">${tickLabel(t, xt.step)}</text>`);
  for (const t of yt.ticks) out.push(`<text x="${m.left - 6}" y="${f(sy(t) + 4)}" text-anchor="end">${tickLabel(t, yt.step)}</text>`);
  out.push('</g>');
  out.push(`<text x="${m.left + pw / 2}" y="${height - 12}" text-anchor="middle" fill="#1d2330">${esc(frame.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#1d2330">${esc(frame.yLabel)}</text>`);

  const { data, legend = [] } = draw({ sx, sy, left: m.left });
  // data, clipped to the plot area
  out.push('<g clip-path="url(#plot)">', ...data, '</g>');
  out.push(...legend);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export function scatterSvg(model: ScatterModel, options: SvgOptions = {}): string {
  const legend = model.series.length > 1 || model.curve !== null;
  const [x0, x1] = model.xRange;
  const [y0, y1] = model.yRange;
  const frame: PlotFrame = {
    width: options.width ?? 720,
    height: options.height ?? 480,
    top: legend ? 74 : 52,
    title: model.title,
    subtitle: model.subtitle,
    xLabel: model.xLabel,
    yLabel: model.yLabel,
    xRange: model.xRange,
    yRange: model.yRange,
    xTicks: model.xStep > 0 ? stepTicks(x0, x1, model.xStep) : niceTicks(x0, x1, 7),
    yTicks: model.yStep > 0 ? stepTicks(y0, y1, model.yStep) : niceTicks(y0, y1, 6),
  };
  return plotSvg(frame, ({ sx, sy, left }) => {
    const data: string[] = [];
    if (model.curve && model.curve.length > 1) {
      const d = model.curve.map((p, i) => `${i ? 'L' : 'M'}${f(sx(p.x))} ${f(sy(p.y))}`).join(' ');
      data.push(`<path d="${d}" fill="none" stroke="#1d2330" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    }
    for (const s of model.series) {
      data.push(`<g fill="${s.color}" stroke="${s.color}">`);
      for (const p of s.points) {
        if (p.lo !== null && p.hi !== null) {
          const cx = f(sx(p.x));
          data.push(`<path d="M${cx} ${f(sy(p.lo))} V${f(sy(p.hi))} M${f(sx(p.x) - 3)} ${f(sy(p.lo))} h6 M${f(sx(p.x) - 3)} ${f(sy(p.hi))} h6" fill="none" stroke-opacity="0.6"/>`);
        }
        data.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="4" stroke="#ffffff" stroke-width="1"><title>${esc(`${p.label}: ${p.x}, ${p.y}`)}</title></circle>`);
      }
      data.push('</g>');
    }
    if (!legend) return { data };
    const out: string[] = [];
    let lx = left;
    const ly = 58;
    out.push('<g font-size="11" fill="#1d2330">');
    if (model.colourBy && model.series.length > 1) {
      out.push(`<text x="${lx}" y="${ly + 4}" fill="#6b7385">${esc(model.colourBy)}:</text>`);
      lx += 8 + model.colourBy.length * 6.5;
    }
    for (const s of model.series) {
      if (model.series.length === 1 && s.name === '') continue;
      const name = s.name || '(none)';
      out.push(`<circle cx="${f(lx + 4)}" cy="${ly}" r="4" fill="${s.color}"/><text x="${f(lx + 12)}" y="${ly + 4}">${esc(name)}</text>`);
      lx += 24 + name.length * 6.5;
    }
    if (model.curve) {
      out.push(`<path d="M${f(lx)} ${ly} h22" stroke="#1d2330" stroke-width="1.5" stroke-dasharray="6 4"/><text x="${f(lx + 28)}" y="${ly + 4}">${esc(model.curveLabel)}</text>`);
    }
    out.push('</g>');
    return { data, legend: out };
  });
}

/**
 * One per-frame curve: frame number (0-based, as on the canvas) against the metric value. Frames
 * without a plottable value (null) break the line; a frame between two gaps is drawn as a dot, and
 * every frame is when there are at most 60 (as on the canvas).
 */
export function frameCurveSvg(curve: FrameCurve, options: SvgOptions = {}): string {
  const n = curve.values.length;
  const finite = curve.values.filter((v): v is number => v !== null && Number.isFinite(v));
  let ylo = finite.length ? Math.min(...finite) : 0;
  let yhi = finite.length ? Math.max(...finite) : 1;
  const pad = yhi > ylo ? (yhi - ylo) * 0.05 : Math.abs(ylo) * 0.05 || 0.5;
  ylo -= pad;
  yhi += pad;
  const y = niceRange([ylo, yhi], 5);
  const xRange: [number, number] = [0, Math.max(1, n - 1)];
  const xNice = niceTicks(xRange[0], xRange[1], 8);
  const frame: PlotFrame = {
    width: options.width ?? 720,
    height: options.height ?? 360,
    top: curve.note ? 52 : 36,
    title: curve.title,
    subtitle: curve.note,
    xLabel: 'frame',
    yLabel: curve.yLabel,
    xRange,
    yRange: y.range,
    // whole frames only
    xTicks: xNice.step >= 1 ? xNice : stepTicks(xRange[0], xRange[1], 1),
    yTicks: stepTicks(y.range[0], y.range[1], y.step),
  };
  return plotSvg(frame, ({ sx, sy }) => {
    const segments: string[] = [];
    const dots: string[] = [];
    let segment: string[] = [];
    const flush = () => {
      if (segment.length > 1) segments.push(segment.join(' '));
      segment = [];
    };
    const drawn = (i: number) => {
      const v = curve.values[i];
      return v !== null && v !== undefined && Number.isFinite(v);
    };
    curve.values.forEach((v, i) => {
      if (v === null || !drawn(i)) return flush();
      segment.push(`${segment.length ? 'L' : 'M'}${f(sx(i))} ${f(sy(v))}`);
      const isolated = !drawn(i - 1) && !drawn(i + 1);
      if (n <= 60 || isolated) dots.push(`<circle cx="${f(sx(i))}" cy="${f(sy(v))}" r="2.5"><title>${esc(`frame ${i}: ${v}`)}</title></circle>`);
    });
    flush();
    const data: string[] = [];
    if (segments.length) data.push(`<path d="${segments.join(' ')}" fill="none" stroke="${curve.color}" stroke-width="1.5" stroke-linejoin="round"/>`);
    if (dots.length) data.push(`<g fill="${curve.color}">`, ...dots, '</g>');
    return { data };
  });
}
