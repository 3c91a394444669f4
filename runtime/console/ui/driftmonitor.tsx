/** A DriftMonitor's page: the latest check and per-feature drift scores over time. */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { DriftMonitorView, DriftRunView } from '../api.ts';
import { Chart, type ChartOptions, dark, PALETTE } from './chart.tsx';
import { Badge, DataTable, ErrorBox, PendingPage, ResourceHeader, Tile, Tiles, type Tone } from './components.tsx';
import { age, DASH, dateTime, int, num, pct } from './format.ts';
import { useNow, useResourceDoc } from './state.ts';

const RESULT_TONE: Record<DriftRunView['result'], Tone> = { Drift: 'bad', NoDrift: 'ok', InsufficientData: 'muted' };
const RESULT_TEXT: Record<DriftRunView['result'], string> = { Drift: 'Drift', NoDrift: 'No drift', InsufficientData: 'Insufficient data' };

/** commonThreshold is the one threshold every scored feature of every run shares, if they do. */
function commonThreshold(runs: DriftRunView[]): number | null {
  let t: number | null = null;
  for (const r of runs) {
    for (const f of r.features) {
      if (f.threshold === null || !Number.isFinite(f.threshold)) return null;
      if (t === null) t = f.threshold;
      else if (t !== f.threshold) return null;
    }
  }
  return t;
}

function DriftChart({ features, runs, threshold }: { features: string[]; runs: DriftRunView[]; threshold: number | null }) {
  const options = useMemo<ChartOptions>(() => {
    const fmt = (_u: uPlot, v: number | null) => num(v);
    return {
      // One check has no time span: centre it in an hour either side rather than uPlot's years.
      scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - 3600, max + 3600] : [min, max]) } },
      axes: [{}, { label: 'drift score', size: 60 }],
      series: [
        {},
        ...features.map((f, i) => ({ label: f, stroke: PALETTE[i % PALETTE.length], width: 1.5, value: fmt, points: { show: true, size: 5 } })),
        ...(threshold !== null ? [{ label: 'threshold', stroke: dark() ? '#ff7b72' : '#cf222e', width: 1.5, dash: [6, 4], value: fmt, points: { show: false } }] : []),
      ],
      cursor: { points: { size: 6 } },
    };
  }, [features, threshold]);
  const data = useMemo<uPlot.AlignedData>(() => {
    const x = runs.map((r) => Date.parse(r.ranAt) / 1000);
    const ys = features.map((name) =>
      runs.map((r) => {
        const s = r.features.find((f) => f.name === name)?.score;
        return typeof s === 'number' && Number.isFinite(s) ? s : null;
      }),
    );
    return threshold !== null ? [x, ...ys, runs.map(() => threshold)] : [x, ...ys];
  }, [features, runs, threshold]);
  return <Chart options={options} data={data} testId="drift-chart" label={`Drift score per feature over ${runs.length} checks`} />;
}

export function DriftMonitorPage({ namespace, name }: { namespace: string; name: string }) {
  const doc = useResourceDoc<DriftMonitorView>(`driftmonitors/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`);
  const now = useNow();
  if (!doc.data) return <PendingPage kind="DriftMonitor" namespace={namespace} name={name} error={doc.error} />;
  const v = doc.data;
  const latest = v.runs[v.runs.length - 1];
  const threshold = commonThreshold(v.runs);
  return (
    <main id="main" tabIndex={-1}>
      {doc.error && <ErrorBox message={doc.error} stale />}
      <ResourceHeader resource={v.resource} />
      {!latest ? (
        <p class="muted">No drift checks recorded yet.</p>
      ) : (
        <>
          <section aria-labelledby="latest-title">
            <h2 id="latest-title">Latest check</h2>
            <Tiles>
              <Tile label="Result" value={<Badge tone={RESULT_TONE[latest.result]}>{RESULT_TEXT[latest.result] ?? latest.result}</Badge>} hint={`${age(latest.ranAt, now)} ago, ${dateTime(latest.ranAt)}`} />
              <Tile label="Drifted features" value={pct(latest.driftedShare)} hint={`${latest.features.filter((f) => f.drifted).length} of ${latest.features.length}`} />
              <Tile label="Samples" value={int(latest.samples)} />
              <Tile label="Model version" value={latest.modelVersion === null ? DASH : `v${latest.modelVersion}`} />
            </Tiles>
          </section>
          <section aria-labelledby="scores-title">
            <h2 id="scores-title">Drift scores over time</h2>
            <DriftChart features={v.features} runs={v.runs} threshold={threshold} />
            <p class="muted">
              {v.runs.length} check{v.runs.length === 1 ? '' : 's'}
              {threshold !== null ? `; dashed: the threshold ${num(threshold)}.` : '; thresholds differ by feature, see the table.'}
            </p>
          </section>
          <section aria-labelledby="features-title">
            <h2 id="features-title">Features in the latest check</h2>
            <DataTable
              testId="drift-features"
              rows={latest.features}
              rowKey={(f) => f.name}
              rowProps={(f) => ({ class: f.drifted ? 'drifted' : undefined, 'data-drifted': String(f.drifted) })}
              columns={[
                { label: 'Feature', cell: (f) => f.name, wrap: true },
                { label: 'Method', cell: (f) => f.method || DASH },
                { label: 'Score', cell: (f) => num(f.score), num: true },
                { label: 'Threshold', cell: (f) => num(f.threshold), num: true },
                { label: 'Drifted', cell: (f) => (f.drifted ? <Badge tone="bad">✗ drifted</Badge> : <Badge tone="ok">✓ no</Badge>) },
              ]}
            />
          </section>
          <section aria-labelledby="runs-title">
            <h2 id="runs-title">Recent checks</h2>
            <DataTable
              testId="drift-runs"
              rows={[...v.runs].reverse().slice(0, 10)}
              rowKey={(r) => r.ranAt}
              columns={[
                { label: 'Ran', cell: (r) => dateTime(r.ranAt) },
                { label: 'Result', cell: (r) => <Badge tone={RESULT_TONE[r.result]}>{RESULT_TEXT[r.result] ?? r.result}</Badge> },
                { label: 'Drifted', cell: (r) => pct(r.driftedShare), num: true },
                { label: 'Samples', cell: (r) => int(r.samples), num: true },
                { label: 'Model', cell: (r) => (r.modelVersion === null ? DASH : `v${r.modelVersion}`), num: true },
              ]}
            />
          </section>
        </>
      )}
    </main>
  );
}
