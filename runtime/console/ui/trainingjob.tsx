/** A TrainingJob's page: model, loss curves, tuning trials, backtest. */
import { useMemo, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import type { Curve, TrainingJobView, TrialView } from '../api.ts';
import { Chart, type ChartOptions, PALETTE } from './chart.tsx';
import { Badge, DataTable, ErrorBox, ModelFact, PendingPage, ResourceHeader, Tile, Tiles, type Tone } from './components.tsx';
import { DASH, dateTime, duration, int, num, pairs, pct, pctOf } from './format.ts';
import { useResourceDoc, useWatch } from './state.ts';

function curveLabel(c: Curve): string {
  return `${c.trial === null ? 'final' : `trial ${c.trial}`} · ${c.stage}`;
}

function defaultCurve(curves: Curve[]): number {
  const finals = curves.map((c, i) => ({ c, i })).filter(({ c }) => c.trial === null);
  const fit = finals.find(({ c }) => /final/i.test(c.stage));
  return (fit ?? finals[finals.length - 1])?.i ?? 0;
}

const finiteOrNull = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function LossChart({ curve }: { curve: Curve }) {
  const hasVal = curve.points.some((p) => finiteOrNull(p.valLoss) !== null);
  const options = useMemo<ChartOptions>(
    () => ({
      scales: { x: { time: false } },
      axes: [{ label: 'epoch' }, { label: 'loss', size: 60 }],
      series: [
        { label: 'epoch' },
        { label: 'loss', stroke: PALETTE[0], width: 2, value: (_u, v) => num(v) },
        ...(hasVal ? [{ label: 'validation loss', stroke: PALETTE[1], width: 2, dash: [6, 4], value: (_u: uPlot, v: number | null) => num(v) }] : []),
      ],
      cursor: { points: { size: 6 } },
    }),
    [hasVal],
  );
  const data = useMemo<uPlot.AlignedData>(() => {
    const x = curve.points.map((p) => p.epoch);
    const loss = curve.points.map((p) => finiteOrNull(p.loss));
    return hasVal ? [x, loss, curve.points.map((p) => finiteOrNull(p.valLoss))] : [x, loss];
  }, [curve, hasVal]);
  return <Chart options={options} data={data} testId="loss-chart" label={`Loss by epoch, ${curveLabel(curve)}`} />;
}

function LossCurves({ curves }: { curves: Curve[] }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const labels = curves.map(curveLabel);
  const index = chosen !== null && labels.includes(chosen) ? labels.indexOf(chosen) : defaultCurve(curves);
  const curve = curves[index];
  const groups = new Map<string, number[]>();
  curves.forEach((c, i) => {
    const g = c.trial === null ? 'final' : `trial ${c.trial}`;
    groups.set(g, [...(groups.get(g) ?? []), i]);
  });
  const last = curve.points[curve.points.length - 1];
  return (
    <div>
      <div class="chart-controls">
        <label>
          Curve{' '}
          <select value={String(index)} onChange={(e) => setChosen(labels[Number(e.currentTarget.value)])}>
            {[...groups.entries()].map(([g, idx]) => (
              <optgroup key={g} label={g}>
                {idx.map((i) => (
                  <option key={labels[i]} value={String(i)}>
                    {labels[i]} ({curves[i].points.length} epochs)
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        {last && (
          <span class="muted">
            last epoch {last.epoch}: loss {num(finiteOrNull(last.loss))}
            {finiteOrNull(last.valLoss) !== null ? `, validation ${num(last.valLoss)}` : ''}
          </span>
        )}
      </div>
      <LossChart curve={curve} />
    </div>
  );
}

const TRIAL_TONE: Record<TrialView['status'], Tone> = { running: 'info', completed: 'ok', failed: 'bad', pruned: 'muted' };

function TrialMetrics({ t }: { t: TrialView }) {
  if (!t.metrics) return <span>{DASH}</span>;
  if (typeof t.metrics.error === 'string') return <span class="bad-text">{t.metrics.error}</span>;
  return <span class="compact">{pairs(t.metrics)}</span>;
}

function Backtest({ b }: { b: NonNullable<TrainingJobView['backtest']> }) {
  const m = b.metrics;
  const mae = m.mae ?? null;
  const base = b.baseline.mae;
  const skill = mae !== null && base ? 1 - mae / base : null;
  return (
    <>
      <section aria-labelledby="metrics-title">
        <h2 id="metrics-title">Backtest metrics</h2>
        <p class="muted">
          Selected forecaster <strong class="fg">{b.selected}</strong>, against the {b.baseline.method} baseline.
        </p>
        <Tiles>
          <Tile
            label="MAE"
            value={num(mae)}
            hint={`${b.baseline.method} ${num(base)}${skill !== null ? ` (${skill >= 0 ? '' : '+'}${pct(Math.abs(skill))} ${skill >= 0 ? 'better' : 'worse'})` : ''}`}
            tone={skill === null ? undefined : skill > 0 ? 'ok' : 'bad'}
          />
          <Tile label="MASE" value={num(m.mase)} hint="< 1 beats the baseline" tone={m.mase == null ? undefined : m.mase < 1 ? 'ok' : 'bad'} />
          <Tile label="RMSE" value={num(m.rmse)} />
          <Tile label="sMAPE" value={pctOf(m.smape)} />
          <Tile label="R²" value={num(m.r2)} />
          <Tile label="Interval coverage" value={pct(m.intervalCoverage)} hint="share of targets inside the interval" />
        </Tiles>
      </section>
      <section aria-labelledby="folds-title">
        <h2 id="folds-title">Backtest folds</h2>
        <DataTable
          testId="backtest-table"
          rows={b.folds}
          rowKey={(f) => f.fold}
          empty="No folds."
          columns={[
            { label: 'Fold', cell: (f) => f.fold, num: true },
            { label: 'From', cell: (f) => dateTime(f.from) },
            { label: 'To', cell: (f) => dateTime(f.to) },
            { label: 'Samples', cell: (f) => int(f.samples), num: true },
            { label: 'MAE', cell: (f) => num(f.mae), num: true },
            { label: 'sMAPE', cell: (f) => pctOf(f.smape), num: true },
            { label: 'MASE', cell: (f) => num(f.mase), num: true },
            { label: 'Baseline MAE', cell: (f) => num(f.baselineMae), num: true },
            { label: 'Coverage', cell: (f) => pct(f.intervalCoverage), num: true },
          ]}
        />
      </section>
      <section aria-labelledby="candidates-title">
        <h2 id="candidates-title">Candidates</h2>
        <DataTable
          testId="candidates-table"
          rows={b.candidates}
          rowKey={(c) => c.name}
          empty="No candidates recorded."
          columns={[
            {
              label: 'Forecaster',
              wrap: true,
              cell: (c) => (
                <>
                  {c.name}{' '}
                  {c.name === b.selected && (
                    <Badge tone="ok" title="selected by backtest MAE">
                      selected
                    </Badge>
                  )}
                </>
              ),
            },
            { label: 'MAE', cell: (c) => num(c.mae), num: true },
            { label: 'MASE', cell: (c) => num(c.mase), num: true },
            { label: 'Coverage', cell: (c) => pct(c.intervalCoverage), num: true },
          ]}
        />
      </section>
    </>
  );
}

export function TrainingJobPage({ namespace, name }: { namespace: string; name: string }) {
  const doc = useResourceDoc<TrainingJobView>(`trainingjobs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`);
  const { data: watch } = useWatch();
  if (!doc.data) return <PendingPage kind="TrainingJob" namespace={namespace} name={name} error={doc.error} />;
  const v = doc.data;
  return (
    <main id="main" tabIndex={-1}>
      {doc.error && <ErrorBox message={doc.error} stale />}
      <ResourceHeader resource={v.resource}>
        <dl class="facts">
          <ModelFact model={v.model} none="not registered yet" />
          <div>
            <dt>Horizon</dt>
            <dd>{v.horizon ? `${v.horizon} steps` : DASH}</dd>
          </div>
        </dl>
      </ResourceHeader>
      <section aria-labelledby="loss-title">
        <h2 id="loss-title">Training loss</h2>
        {v.curves.length > 0 ? (
          <LossCurves curves={v.curves} />
        ) : (
          <p class="muted">No loss curves recorded{watch?.storeUnavailable ? ` (${watch.storeUnavailable})` : ''}.</p>
        )}
      </section>
      {v.trials.length > 0 && (
        <section aria-labelledby="trials-title">
          <h2 id="trials-title">Tuning trials</h2>
          <DataTable
            testId="trials-table"
            rows={v.trials}
            rowKey={(t) => t.trial}
            columns={[
              { label: 'Trial', cell: (t) => t.trial, num: true },
              { label: 'Status', cell: (t) => <Badge tone={TRIAL_TONE[t.status] ?? 'muted'}>{t.status}</Badge> },
              { label: 'Params', cell: (t) => <span class="compact">{pairs(t.params)}</span>, wrap: true },
              { label: 'Metrics', cell: (t) => <TrialMetrics t={t} />, wrap: true },
              { label: 'Duration', cell: (t) => (t.finishedAt ? duration(t.startedAt, t.finishedAt) : 'running'), num: true },
            ]}
          />
        </section>
      )}
      {v.backtest ? <Backtest b={v.backtest} /> : <p class="muted">No backtest yet: the job has not finished training.</p>}
    </main>
  );
}
