/** Machine-wide CPU use between two samples of /proc/stat (Linux; undefined elsewhere). */
import * as fs from 'fs';
import * as os from 'os';

export interface CpuSample {
  readonly busy: number;
  readonly total: number;
}

export function cpuSample(): CpuSample | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Share of all cores busy between two samples, 0..1. */
export function cpuBusy(a: CpuSample | undefined, b: CpuSample | undefined): number {
  if (!a || !b || b.total <= a.total) return NaN;
  return (b.busy - a.busy) / (b.total - a.total);
}

export function loadAverage(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(' / ');
}
