/** The registry page: every model, its aliases and versions, and who serves them. */
import type { RegistryVersionView, RegistryView } from '../api.ts';
import { Badge, DataTable, ErrorBox, Loading } from './components.tsx';
import { bytes, DASH, dateTime, metric, num, pct } from './format.ts';
import { href, useApi, useThrottled, useWatch } from './state.ts';

function TrainingJobLink({ job }: { job: string | null }) {
  if (!job) return <span>{DASH}</span>;
  const slash = job.indexOf('/');
  if (slash <= 0) return <span>{job}</span>;
  return <a href={href('TrainingJob', job.slice(0, slash), job.slice(slash + 1))}>{job}</a>;
}

function ServedBy({ v }: { v: RegistryVersionView }) {
  if (v.servedBy.length === 0) return <span class="muted">{DASH}</span>;
  return (
    <ul class="inline-list">
      {v.servedBy.map((d) => (
        <li key={`${d.namespace}/${d.name}`}>
          <a href={href('ModelDeployment', d.namespace, d.name)}>
            {d.namespace}/{d.name}
          </a>
        </li>
      ))}
    </ul>
  );
}

export function RegistryPage() {
  const { version } = useWatch();
  const refresh = useThrottled(version, 2000);
  const doc = useApi<RegistryView>('registry', refresh);
  if (!doc.data) {
    return (
      <main id="main" tabIndex={-1}>
        <h1>Model registry</h1>
        {doc.error ? <ErrorBox message={doc.error} /> : <Loading what="the registry" />}
      </main>
    );
  }
  const models = doc.data.models;
  return (
    <main id="main" tabIndex={-1}>
      <h1>Model registry</h1>
      {doc.error && <ErrorBox message={doc.error} stale />}
      {models.length === 0 && <p class="muted">No model is registered yet.</p>}
      {models.map((m) => {
        const versions = [...m.versions].sort((a, b) => b.version - a.version);
        const aliases = Object.entries(m.aliases).sort(([a], [b]) => a.localeCompare(b));
        return (
          <section key={m.name} class="model" data-testid="registry-model" data-model={m.name} aria-labelledby={`model-${m.name}`}>
            <h2 id={`model-${m.name}`} class="break">
              {m.name}
            </h2>
            <p class="muted">
              {versions.length} version{versions.length === 1 ? '' : 's'}, created {dateTime(m.createdAt)}
            </p>
            <p class="aliases">
              <span class="muted">Aliases: </span>
              {aliases.length === 0
                ? DASH
                : aliases.map(([alias, ver]) => (
                    <Badge key={alias} tone="info">
                      {alias} → v{ver}
                    </Badge>
                  ))}
            </p>
            <DataTable
              rows={versions}
              rowKey={(v) => v.version}
              caption={`Versions of ${m.name}`}
              rowProps={(v) => ({ 'data-testid': 'registry-version', 'data-version': String(v.version) })}
              columns={[
                { label: 'Version', cell: (v) => <strong>v{v.version}</strong>, num: true },
                { label: 'Created', cell: (v) => dateTime(v.createdAt) },
                {
                  label: 'Aliases',
                  cell: (v) =>
                    v.aliases.length === 0 ? (
                      <span class="muted">{DASH}</span>
                    ) : (
                      <span class="badges">
                        {v.aliases.map((a) => (
                          <Badge key={a} tone="info">
                            {a}
                          </Badge>
                        ))}
                      </span>
                    ),
                },
                { label: 'MAE', cell: (v) => num(metric(v.metrics, 'mae')), num: true, title: 'backtest mean absolute error' },
                { label: 'MASE', cell: (v) => num(metric(v.metrics, 'mase')), num: true, title: 'MAE relative to the seasonal-naive baseline' },
                { label: 'Coverage', cell: (v) => pct(metric(v.metrics, 'intervalCoverage')), num: true, title: 'share of backtest targets inside the prediction interval' },
                { label: 'Training job', cell: (v) => <TrainingJobLink job={v.trainingJob} />, wrap: true },
                { label: 'Served by', cell: (v) => <ServedBy v={v} />, wrap: true },
                { label: 'Size', cell: (v) => bytes(v.weightBytes), num: true },
              ]}
            />
          </section>
        );
      })}
    </main>
  );
}
