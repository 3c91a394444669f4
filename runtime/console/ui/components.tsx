/** Small shared components: status badges, tables, tiles, the resource header. */
import type { ComponentChildren, HTMLAttributes } from 'preact';
import type { ConditionView, ResourceRow } from '../api.ts';
import { age, DASH, dateTime } from './format.ts';
import { useNow } from './state.ts';

export function Loading({ what }: { what?: string }) {
  return (
    <p class="loading" role="status">
      Loading{what ? ` ${what}` : ''}…
    </p>
  );
}

export function ErrorBox({ message, stale }: { message: string; stale?: boolean }) {
  return (
    <p class="error" role="alert">
      <strong>{stale ? 'Could not refresh: ' : 'Error: '}</strong>
      {message}
    </p>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="note">
      {children}
    </p>
  );
}

const READY_TEXT: Record<string, string> = { True: 'Ready', False: 'Not ready', Unknown: 'Unknown' };
const READY_ICON: Record<string, string> = { True: '✓', False: '✗', Unknown: '?' };

export function ReadyBadge({ ready }: { ready: 'True' | 'False' | 'Unknown' }) {
  return (
    <span class={`badge ready-${ready.toLowerCase()}`}>
      <span aria-hidden="true">{READY_ICON[ready]} </span>
      {READY_TEXT[ready] ?? ready}
    </span>
  );
}

export type Tone = 'ok' | 'bad' | 'warn' | 'muted' | 'info';

export function Badge({ tone, children, title }: { tone: Tone; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge tone-${tone}`} title={title}>
      {children}
    </span>
  );
}

const STATUS_TONE: Record<string, Tone> = { True: 'ok', False: 'bad', Unknown: 'muted' };

export function ConditionsTable({ conditions }: { conditions: ConditionView[] }) {
  const now = useNow();
  if (conditions.length === 0) return <p class="muted">No conditions reported yet.</p>;
  return (
    <table class="conditions cards">
      <thead>
        <tr>
          <th scope="col">Condition</th>
          <th scope="col">Status</th>
          <th scope="col">Reason</th>
          <th scope="col">Message</th>
          <th scope="col">Changed</th>
        </tr>
      </thead>
      <tbody>
        {conditions.map((c) => (
          <tr key={c.type}>
            <td data-label="Condition">{c.type}</td>
            <td data-label="Status">
              <Badge tone={c.type === 'Ready' || c.status !== 'True' ? (STATUS_TONE[c.status] ?? 'muted') : 'info'}>{c.status}</Badge>
            </td>
            <td data-label="Reason" class="break">
              {c.reason ?? DASH}
            </td>
            <td data-label="Message" class="break">
              {c.message ?? DASH}
            </td>
            <td data-label="Changed" title={c.lastTransitionTime ? dateTime(c.lastTransitionTime) : undefined}>
              {c.lastTransitionTime ? `${age(c.lastTransitionTime, now)} ago` : DASH}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Column is one column of a DataTable. */
export interface Column<T> {
  label: string;
  cell: (row: T, index: number) => ComponentChildren;
  /** Right-aligned numbers. */
  num?: boolean;
  /** Long text that may break anywhere. */
  wrap?: boolean;
  title?: string;
}

/**
 * DataTable is a semantic table that becomes stacked cards on narrow screens
 * (each cell labelled with its column).
 */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  caption,
  testId,
  rowProps,
  empty,
}: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string | number;
  caption?: string;
  testId?: string;
  rowProps?: (row: T, index: number) => HTMLAttributes<HTMLTableRowElement> & Record<string, unknown>;
  empty?: string;
}) {
  if (rows.length === 0) return <p class="muted">{empty ?? 'Nothing to show.'}</p>;
  return (
    <div class="table-wrap">
      <table class="data cards" data-testid={testId}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label} scope="col" class={c.num ? 'num' : undefined} title={c.title}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={rowKey(r, i)} {...(rowProps?.(r, i) ?? {})}>
              {columns.map((c) => (
                <td key={c.label} data-label={c.label} class={[c.num ? 'num' : '', c.wrap ? 'break' : ''].join(' ').trim() || undefined}>
                  {c.cell(r, i)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Tiles({ children }: { children: ComponentChildren }) {
  return <dl class="tiles">{children}</dl>;
}

export function Tile({ label, value, hint, tone }: { label: string; value: ComponentChildren; hint?: ComponentChildren; tone?: Tone }) {
  return (
    <div class={`tile${tone ? ` tone-${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>
        <span class="tile-value">{value}</span>
        {hint !== undefined && <span class="tile-hint">{hint}</span>}
      </dd>
    </div>
  );
}

/** PendingPage stands for a detail page until its document loads: the title, then loading or the error. */
export function PendingPage({ kind, namespace, name, error }: { kind: string; namespace: string; name: string; error?: string }) {
  return (
    <main id="main" tabIndex={-1}>
      <h1 class="break">
        {kind} {namespace}/{name}
      </h1>
      {error ? <ErrorBox message={error} /> : <Loading />}
    </main>
  );
}

/** ModelFact is a page's "Model" fact: the model version, linked to the registry, or why there is none. */
export function ModelFact({ model, none }: { model?: { name: string; version: number }; none: string }) {
  return (
    <div>
      <dt>Model</dt>
      <dd class="break">
        {model ? (
          <a href="#/registry">
            {model.name} v{model.version}
          </a>
        ) : (
          none
        )}
      </dd>
    </div>
  );
}

/** ResourceHeader heads a resource's page: kind, name, READY, reason, message, conditions. */
export function ResourceHeader({ resource, children }: { resource: ResourceRow; children?: ComponentChildren }) {
  const now = useNow();
  const r = resource;
  return (
    <section class={`resource-header ready-row-${r.ready.toLowerCase()}`} aria-labelledby="page-title">
      <p class="crumbs">
        <a href="#/">Resources</a> <span aria-hidden="true">/</span> {r.kind}
      </p>
      <h1 id="page-title" class="break">
        <span class="kind">{r.kind}</span> {r.namespace}/{r.name}
      </h1>
      <div class="status-line">
        <ReadyBadge ready={r.ready} />
        {r.reason && (
          <span class="reason" data-testid="resource-reason">
            {r.reason}
          </span>
        )}
        {r.phase && <Badge tone="info">{r.phase}</Badge>}
        {r.createdAt && (
          <span class="muted" title={dateTime(r.createdAt)}>
            created {age(r.createdAt, now)} ago
          </span>
        )}
      </div>
      {r.message && (
        <p class="message break" data-testid="resource-message">
          {r.message}
        </p>
      )}
      {children}
      <details class="conditions-details">
        <summary>Conditions ({r.conditions.length})</summary>
        <ConditionsTable conditions={r.conditions} />
      </details>
    </section>
  );
}
