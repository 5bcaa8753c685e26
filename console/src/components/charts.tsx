// Small hand-drawn SVG charts: lines with axes, a legend and an optional operating point.

export interface Series {
  name: string;
  points: [number, number][];
  color: string;
  dashed?: boolean;
}

interface LineChartProps {
  title: string;
  series: Series[];
  xLabel: string;
  yLabel: string;
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** A vertical line at x (e.g. the threshold). */
  markerX?: number;
  /** Points to ring, e.g. the operating point on a PR curve. */
  markers?: { x: number; y: number; color: string; label: string }[];
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  height?: number;
}

const W = 560;
const PAD = { left: 52, right: 16, top: 14, bottom: 40 };

function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

export function LineChart(props: LineChartProps) {
  const H = props.height ?? 260;
  const all = props.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1] = props.xDomain ?? [Math.min(...xs, 0), Math.max(...xs, 1)];
  let [y0, y1] = props.yDomain ?? [Math.min(...ys, 0), Math.max(...ys, 0)];
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) y1 = y0 + 1;
  if (!props.yDomain) y1 = y1 + (y1 - y0) * 0.05;
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const xf = props.xFormat ?? ((v: number) => String(+v.toFixed(2)));
  const yf = props.yFormat ?? ((v: number) => String(+v.toFixed(2)));
  const path = (pts: [number, number][]) => {
    let d = '';
    let pen = false;
    for (const [x, y] of pts) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  const description = props.series.map((s) => `${s.name}: ${s.points.length} points`).join('; ');
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title}. ${description}`}>
        {ticks(y0, y1).map((t) => (
          <g key={`y${t}`}>
            <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={sy(t)} y2={sy(t)} />
            <text class="tick" x={PAD.left - 6} y={sy(t) + 4} text-anchor="end">{yf(t)}</text>
          </g>
        ))}
        {ticks(x0, x1, 6).filter((t) => xf(t) !== '').map((t) => (
          <g key={`x${t}`}>
            <line class="grid" y1={PAD.top} y2={H - PAD.bottom} x1={sx(t)} x2={sx(t)} />
            <text class="tick" x={sx(t)} y={H - PAD.bottom + 16} text-anchor="middle">{xf(t)}</text>
          </g>
        ))}
        <line class="axis" x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} />
        <line class="axis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={H - PAD.bottom} />
        <text class="axis-label" x={(PAD.left + W - PAD.right) / 2} y={H - 6} text-anchor="middle">{props.xLabel}</text>
        <text class="axis-label" transform={`translate(13 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)`} text-anchor="middle">
          {props.yLabel}
        </text>
        {props.markerX !== undefined && Number.isFinite(props.markerX) && (
          <line class="marker" x1={sx(props.markerX)} x2={sx(props.markerX)} y1={PAD.top} y2={H - PAD.bottom} />
        )}
        {props.series.map((s) => (
          <g key={s.name}>
            <path d={path(s.points)} fill="none" stroke={s.color} stroke-width={2} stroke-dasharray={s.dashed ? '5 4' : undefined} />
            {s.points.length <= 40 && s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y], i) => (
              <circle key={i} cx={sx(x)} cy={sy(y)} r={2.5} fill={s.color} />
            ))}
          </g>
        ))}
        {(props.markers ?? []).filter((m) => Number.isFinite(m.x) && Number.isFinite(m.y)).map((m) => (
          <g key={m.label}>
            <circle cx={sx(m.x)} cy={sy(m.y)} r={6} fill="none" stroke={m.color} stroke-width={2.5} />
            <title>{m.label}</title>
          </g>
        ))}
      </svg>
      <ul class="legend">
        {props.series.map((s) => (
          <li key={s.name}>
            <span class="swatch" style={{ background: s.color, opacity: s.dashed ? 0.6 : 1 }} />
            {s.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** Horizontal bars, e.g. images per label. */
export function Bars({ rows, max, format }: { rows: { label: string; value: number; title?: string }[]; max?: number; format?: (v: number) => string }) {
  const top = max ?? Math.max(1, ...rows.map((r) => r.value));
  return (
    <ul class="bars">
      {rows.map((r) => (
        <li key={r.label}>
          <span class="bar-label">{r.label}</span>
          <span class="bar-track" aria-hidden="true">
            <span class="bar-fill" style={{ width: `${Math.max(0, Math.min(100, (r.value / top) * 100))}%` }} />
          </span>
          <span class="bar-value">{format ? format(r.value) : r.value}</span>
        </li>
      ))}
    </ul>
  );
}
