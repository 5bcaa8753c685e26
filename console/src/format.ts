import type { Int64, JsonFloat } from './types';

export function int(v: Int64 | undefined): number {
  if (v === undefined || v === null || v === '') return 0;
  return typeof v === 'number' ? v : parseInt(v, 10);
}

/** A proto3 JSON float: a number, or "NaN" / "Infinity" / "-Infinity". */
export function float(v: JsonFloat | undefined): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return parseFloat(v);
}

const numberFormat = new Intl.NumberFormat('en-US');

export function count(v: Int64 | number | undefined): string {
  return numberFormat.format(int(v as Int64));
}

/** 0.9234 -> "92.3%"; NaN -> "n/a". */
export function percent(v: JsonFloat | undefined, digits = 1): string {
  const x = float(v);
  if (!Number.isFinite(x)) return 'n/a';
  return `${(x * 100).toFixed(digits)}%`;
}

export function fixed(v: JsonFloat | undefined, digits = 3): string {
  const x = float(v);
  if (!Number.isFinite(x)) return 'n/a';
  return x.toFixed(digits);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** A google.protobuf.Duration in JSON ("1.500s") -> seconds. */
export function seconds(d: string | undefined): number {
  if (!d) return 0;
  return parseFloat(d.replace(/s$/, ''));
}

export function duration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return 'n/a';
  if (totalSeconds < 1) return `${Math.round(totalSeconds * 1000)} ms`;
  if (totalSeconds < 60) return `${totalSeconds.toFixed(totalSeconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(totalSeconds / 60);
  const s = Math.round(totalSeconds % 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function millis(d: string | undefined): string {
  const s = seconds(d);
  return `${(s * 1000).toFixed(s * 1000 < 10 ? 2 : 1)} ms`;
}

export function time(ts: string | undefined): string {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString();
}

export function ago(ts: string | undefined): string {
  if (!ts) return '';
  const d = new Date(ts).getTime();
  const s = (Date.now() - d) / 1000;
  if (!Number.isFinite(s)) return ts;
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(ts).toLocaleDateString();
}

/** `datasets/clouds` -> `clouds`. */
export function lastPart(name: string | undefined): string {
  if (!name) return '';
  return name.slice(name.lastIndexOf('/') + 1);
}

/** TRAINING_FAILED -> "training failed". */
export function enumText(v: string | undefined): string {
  if (!v) return '';
  return v.toLowerCase().replace(/_/g, ' ');
}

/** 1 -> "1 image", 12 -> "12 images". */
export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}
