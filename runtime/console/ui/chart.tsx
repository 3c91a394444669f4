/**
 * Chart is the one uPlot wrapper every chart uses: it creates the plot on
 * mount, destroys it on unmount, follows its container's width, and marks the
 * container with `data-points` (x values plotted) and `data-series` (y series).
 */
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

export interface ChartProps {
  /** Create-time options; a new object rebuilds the plot (memoize it). */
  options: ChartOptions;
  data: uPlot.AlignedData;
  testId: string;
  /** Accessible description of the chart. */
  label: string;
}

/** PALETTE is a colour-blind-friendly series palette (Okabe–Ito plus a few). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#8C6D1F', '#7F7F7F', '#F0E442', '#332288', '#AA4499', '#117733'];

export function dark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

function heightFor(width: number): number {
  return width < 520 ? 200 : 260;
}

function themed(options: ChartOptions): ChartOptions {
  const isDark = dark();
  const text = isDark ? '#c9d1d9' : '#3b4350';
  const grid = isDark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.07)';
  const axes = (options.axes ?? [{}, {}]).map((a) => ({
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    ...a,
  }));
  return { ...options, axes };
}

function mark(el: HTMLElement, u: uPlot): void {
  el.dataset.points = String(u.data[0]?.length ?? 0);
  el.dataset.series = String(u.series.length - 1);
}

export function Chart({ options, data, testId, label }: ChartProps) {
  const ref = useRef<HTMLElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shown = useRef<uPlot.AlignedData | null>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const width = Math.max(el.clientWidth, 200);
    const u = new uPlot({ ...themed(options), width, height: heightFor(width) }, data, el);
    plot.current = u;
    shown.current = data;
    mark(el, u);
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const w = el.clientWidth;
        if (w > 0 && (w !== u.width || heightFor(w) !== u.height)) u.setSize({ width: w, height: heightFor(w) });
      });
    });
    ro.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
      u.destroy();
      plot.current = null;
      shown.current = null;
    };
    // The plot is rebuilt only when the options change; data changes go through setData below.
  }, [options]);

  useEffect(() => {
    const u = plot.current;
    const el = ref.current;
    if (!u || !el || shown.current === data) return;
    u.setData(data);
    shown.current = data;
    mark(el, u);
  }, [data]);

  return <figure class="chart" ref={ref} data-testid={testId} aria-label={label} />;
}
