/** The resources page: every Fluxora resource, live from the watch stream. */
import { Fragment } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { KINDS, type ResourceRow } from '../api.ts';
import { ConditionsTable, ErrorBox, Loading, ReadyBadge } from './components.tsx';
import { age, DASH, dateTime } from './format.ts';
import { href, useNow, useWatch } from './state.ts';

const LINKED = new Set(['TrainingJob', 'ModelDeployment', 'DriftMonitor']);

function sortRows(rows: ResourceRow[]): ResourceRow[] {
  const order = (k: string) => {
    const i = (KINDS as readonly string[]).indexOf(k);
    return i < 0 ? KINDS.length : i;
  };
  return [...rows].sort((a, b) => order(a.kind) - order(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

function Row({ r, now, open, toggle }: { r: ResourceRow; now: number; open: boolean; toggle: () => void }) {
  const id = `conditions-${r.kind}-${r.namespace}-${r.name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const ready = r.ready.toLowerCase();
  return (
    <Fragment>
      <tr
        class={`resource ready-row-${ready}`}
        data-testid="resource-row"
        data-kind={r.kind}
        data-namespace={r.namespace}
        data-name={r.name}
        data-ready={r.ready}
      >
        <td data-label="Kind" class="kind-cell">
          {r.kind}
        </td>
        <td data-label="Name" class="name-cell break">
          {LINKED.has(r.kind) ? (
            <a href={href(r.kind, r.namespace, r.name)} class="name">
              <span class="ns">{r.namespace}/</span>
              {r.name}
            </a>
          ) : (
            <span class="name">
              <span class="ns">{r.namespace}/</span>
              {r.name}
            </span>
          )}
          {r.message && (
            <span class="msg" data-testid="resource-message" title={r.message}>
              {r.message}
            </span>
          )}
        </td>
        <td data-label="Ready">
          <ReadyBadge ready={r.ready} />
        </td>
        <td data-label="Reason" data-testid="resource-reason">
          {r.reason ?? DASH}
        </td>
        <td data-label="Phase">{r.phase ?? DASH}</td>
        <td data-label="Age" title={r.createdAt ? dateTime(r.createdAt) : undefined}>
          {age(r.createdAt, now)}
        </td>
        <td data-label="Details" class="break details-cell">
          {r.details || DASH}
        </td>
        <td class="expand-cell">
          <button type="button" class="link-button" aria-expanded={open} aria-controls={id} onClick={toggle}>
            {open ? 'Hide' : 'Conditions'} ({r.conditions.length})
          </button>
        </td>
      </tr>
      {open && (
        <tr class="expansion" id={id}>
          <td colSpan={8}>
            {r.message && <p class="message break">{r.message}</p>}
            <ConditionsTable conditions={r.conditions} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

export function ResourcesPage() {
  const watch = useWatch();
  const now = useNow(5000);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const [filter, setFilter] = useState('');
  const [notReadyOnly, setNotReadyOnly] = useState(false);
  const rows = useMemo(() => sortRows(watch.data?.resources ?? []), [watch.data]);

  if (!watch.data) {
    return (
      <main id="main" tabIndex={-1}>
        <h1>Resources</h1>
        {watch.error ? <ErrorBox message={watch.error} /> : <Loading what="resources" />}
      </main>
    );
  }
  const needle = filter.trim().toLowerCase();
  const shown = rows.filter(
    (r) => (!notReadyOnly || r.ready !== 'True') && (!needle || `${r.kind} ${r.namespace}/${r.name} ${r.reason ?? ''}`.toLowerCase().includes(needle)),
  );
  const notReady = rows.filter((r) => r.ready !== 'True').length;
  const key = (r: ResourceRow) => `${r.kind}/${r.namespace}/${r.name}`;
  const toggle = (k: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(k)) next.delete(k);
      else next.add(k);
      return next;
    });

  return (
    <main id="main" tabIndex={-1}>
      <div class="page-head">
        <h1>Resources</h1>
        <p class="muted summary">
          {rows.length} resource{rows.length === 1 ? '' : 's'}
          {notReady > 0 ? (
            <Fragment>
              , <strong class="bad-text">{notReady} not ready</strong>
            </Fragment>
          ) : rows.length > 0 ? (
            ', all ready'
          ) : (
            ''
          )}
        </p>
      </div>
      {watch.data.storeUnavailable && (
        <p class="notice" role="note" data-testid="store-unavailable">
          <strong>No database:</strong> {watch.data.storeUnavailable}. Curves, the registry, traffic history and drift history are not shown.
        </p>
      )}
      {rows.length > 0 && (
        <div class="filters">
          <label>
            <span class="visually-hidden">Filter resources</span>
            <input type="search" placeholder="Filter by kind, name, reason…" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
          </label>
          <label class="check">
            <input type="checkbox" checked={notReadyOnly} onChange={(e) => setNotReadyOnly(e.currentTarget.checked)} /> Not ready only
          </label>
        </div>
      )}
      {rows.length === 0 ? (
        <p class="muted">No Fluxora resources found.</p>
      ) : shown.length === 0 ? (
        <p class="muted">No resource matches the filter.</p>
      ) : (
        <div class="table-wrap">
          <table class="resources cards">
            <caption class="visually-hidden">Fluxora resources</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Name</th>
                <th scope="col">Ready</th>
                <th scope="col">Reason</th>
                <th scope="col">Phase</th>
                <th scope="col">Age</th>
                <th scope="col">Details</th>
                <th scope="col">
                  <span class="visually-hidden">Conditions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <Row key={key(r)} r={r} now={now} open={open.has(key(r))} toggle={() => toggle(key(r))} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
