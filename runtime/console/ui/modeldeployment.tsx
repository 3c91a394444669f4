/** A ModelDeployment's page: model, replicas, traffic, the held-out forecast against what was observed. */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { ForecastTrace, ModelDeploymentView } from '../api.ts';
import { Chart, type ChartOptions, dark, PALETTE } from './chart.tsx';
import { DASH, int, ms, num, pct } from './format.ts';
import { ErrorBox, ModelFact, Notice, PendingPage, ResourceHeader, Tile, Tiles } from './components.tsx';
import { useResourceDoc } from './state.ts';

const toNum = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function ForecastChart({ trace }: { trace: ForecastTrace }) {
  const level = `${Math.round(trace.coverage * 1000) / 10}%`;
  const options = useMemo<ChartOptions>(() => {
    const band = dark() ? 'rgba(86,180,233,0.22)' : 'rgba(0,114,178,0.14)';
    const edge = dark() ? 'rgba(86,180,233,0.5)' : 'rgba(0,114,178,0.35)';
    const fmt = (_u: uPlot, v: number | null) => num(v);
    return {
      scales: { x: { time: true } },
      axes: [{}, { size: 60 }],
      series: [
        {},
        { label: 'observed', stroke: dark() ? '#e6edf3' : '#1f2328', width: 1.5, value: fmt },
        { label: 'forecast', stroke: PALETTE[4], width: 1.5, value: fmt },
        { label: `${level} interval low`, stroke: edge, width: 1, value: fmt },
        { label: `${level} interval high`, stroke: edge, width: 1, value: fmt },
      ],
      bands: [{ series: [4, 3], fill: band }],
      cursor: { points: { size: 6 } },
    };
  }, [level]);
  const data = useMemo<uPlot.AlignedData>(
    () => [
      trace.timestamps.map((t) => Date.parse(t) / 1000),
      trace.observed.map(toNum),
      trace.forecast.map(toNum),
      trace.lower.map(toNum),
      trace.upper.map(toNum),
    ],
    [trace],
  );
  let inside = 0;
  let counted = 0;
  for (let i = 0; i < trace.observed.length; i++) {
    const y = toNum(trace.observed[i]);
    const lo = toNum(trace.lower[i]);
    const hi = toNum(trace.upper[i]);
    if (y === null || lo === null || hi === null) continue;
    counted++;
    if (y >= lo && y <= hi) inside++;
  }
  return (
    <div class="figure">
      <Chart options={options} data={data} testId="forecast-chart" label={`Forecast against observed values with the ${level} prediction interval`} />
      <p class="muted caption">
        <span class="swatch band" aria-hidden="true" /> Shaded: {level} interval
        {counted > 0 && (
          <>
            {' '}
            · observed inside it at {pct(inside / counted)} of {int(counted)} points
          </>
        )}
        . Held-out backtest forecasts of the served version, from models that never saw these targets.
      </p>
    </div>
  );
}

export function ModelDeploymentPage({ namespace, name }: { namespace: string; name: string }) {
  // Traffic is a rate since the previous reading: read it again every 10 s as well.
  const doc = useResourceDoc<ModelDeploymentView>(`modeldeployments/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`, 10_000);
  if (!doc.data) return <PendingPage kind="ModelDeployment" namespace={namespace} name={name} error={doc.error} />;
  const v = doc.data;
  const t = v.traffic;
  const { desired, ready } = v.replicas;
  return (
    <main id="main" tabIndex={-1}>
      {doc.error && <ErrorBox message={doc.error} stale />}
      <ResourceHeader resource={v.resource}>
        <dl class="facts">
          <ModelFact model={v.model} none="none served yet" />
          <div>
            <dt>URL</dt>
            <dd class="break">{v.url ? <code>{v.url}</code> : DASH}</dd>
          </div>
          <div>
            <dt>Replicas</dt>
            <dd data-testid="replicas" class={ready !== null && desired !== null && ready < desired ? 'bad-text' : undefined}>
              {ready ?? 0} ready / {desired ?? DASH} desired
            </dd>
          </div>
        </dl>
      </ResourceHeader>
      <section aria-labelledby="traffic-title">
        <h2 id="traffic-title">Traffic</h2>
        {t ? (
          <Tiles>
            <Tile label="Requests/s" value={num(t.requestsPerSecond)} hint={t.requestsPerSecond === null ? 'after the next reading' : 'since the last reading'} />
            <Tile label="Mean latency" value={ms(t.meanLatencyMs)} hint="since the last reading" />
            <Tile label="p50 latency" value={ms(t.p50LatencyMs)} />
            <Tile label="p99 latency" value={ms(t.p99LatencyMs)} />
            <Tile label="Total requests" value={int(t.totalRequests)} hint="since the pods started" />
            <Tile label="Pods scraped" value={`${t.podsScraped} / ${t.pods}`} tone={t.podsScraped < t.pods ? 'warn' : undefined} />
          </Tiles>
        ) : (
          <Notice>Traffic unavailable: {v.trafficUnavailable ?? 'no reading'}.</Notice>
        )}
      </section>
      <section aria-labelledby="forecast-title">
        <h2 id="forecast-title">Forecast vs observed</h2>
        {v.forecast && v.forecast.timestamps.length > 0 ? (
          <ForecastChart trace={v.forecast} />
        ) : (
          <Notice>Forecast unavailable: {v.forecastUnavailable ?? 'the trace is empty'}.</Notice>
        )}
      </section>
    </main>
  );
}
