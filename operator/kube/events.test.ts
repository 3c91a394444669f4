import type { EventsV1Event } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { type EventSeries, type EventSink, EventRecorder, redactSecrets } from './events.ts';
import { FakeClock } from '../../test/support/fake-clock.ts';
import { silentKubeLogger } from './logger.ts';

class FakeSink implements EventSink {
  readonly events = new Map<string, Omit<EventsV1Event, 'series'> & { series?: EventSeries }>();
  failCreate = false;

  async create(namespace: string, event: EventsV1Event): Promise<EventsV1Event> {
    if (this.failCreate) throw new Error('connect ECONNREFUSED');
    const stored = JSON.parse(JSON.stringify(event));
    this.events.set(`${namespace}/${event.metadata?.name}`, stored);
    return stored;
  }

  async patchSeries(namespace: string, name: string, series: EventSeries): Promise<void> {
    const e = this.events.get(`${namespace}/${name}`);
    if (!e) throw Object.assign(new Error('not found'), { code: 404 });
    e.series = series;
  }
}

const job = { apiVersion: 'fluxora.io/v1alpha1', kind: 'TrainingJob', metadata: { name: 'tj', namespace: 'ns', uid: 'u1' } };

function setup() {
  const clock = new FakeClock(Date.UTC(2026, 10, 26, 11, 0, 0) + 0.123);
  const sink = new FakeSink();
  const recorder = new EventRecorder({ sink, clock, logger: silentKubeLogger, reportingInstance: 'pod-0' });
  return { clock, sink, recorder };
}

describe('EventRecorder', () => {
  it('drops events beyond maxPending waiting writes, and records again once they drained', async () => {
    const sink = new FakeSink();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: EventSink = {
      create: async (ns, e) => {
        await gate;
        return sink.create(ns, e);
      },
      patchSeries: (ns, n, s) => sink.patchSeries(ns, n, s),
    };
    const recorder = new EventRecorder({ sink: slow, clock: new FakeClock(), logger: silentKubeLogger, maxPending: 3 });
    const all = Array.from({ length: 5 }, (_, i) => recorder.record({ ...job, metadata: { ...job.metadata, name: `tj-${i}` } }, 'Normal', 'Created', 'x'));
    expect(recorder.dropped()).toBe(2);
    release();
    await Promise.all(all);
    expect(sink.events.size).toBe(3);
    await recorder.record(job, 'Normal', 'Created', 'again');
    expect(sink.events.size).toBe(4);
  });

  it('creates an events.k8s.io/v1 Event about the object', async () => {
    const { sink, recorder } = setup();
    await recorder.record(job, 'Normal', 'JobCreated', 'created Job tj-train', 'Create');
    const [event] = [...sink.events.values()];
    expect(event).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { namespace: 'ns' },
      eventTime: '2026-11-26T11:00:00.000123Z',
      type: 'Normal',
      reason: 'JobCreated',
      action: 'Create',
      note: 'created Job tj-train',
      reportingController: 'fluxora.io/operator',
      reportingInstance: 'pod-0',
      regarding: { apiVersion: 'fluxora.io/v1alpha1', kind: 'TrainingJob', name: 'tj', namespace: 'ns', uid: 'u1' },
    });
    expect(event.metadata?.name).toMatch(/^tj\.[0-9a-f]+$/);
  });

  it('aggregates the same event within 10 minutes into one object with a series count', async () => {
    const { sink, recorder, clock } = setup();
    await recorder.record(job, 'Warning', 'ApplyFailed', 'conflict');
    await clock.advance(60_000);
    await recorder.record(job, 'Warning', 'ApplyFailed', 'conflict');
    await clock.advance(60_000);
    await recorder.record(job, 'Warning', 'ApplyFailed', 'conflict');
    expect(sink.events.size).toBe(1);
    const [event] = [...sink.events.values()];
    expect(event.series).toEqual({ count: 3, lastObservedTime: '2026-11-26T11:02:00.000123Z' });

    await recorder.record(job, 'Warning', 'ApplyFailed', 'another message');
    expect(sink.events.size).toBe(2);

    await clock.advance(10 * 60_000 + 1);
    await recorder.record(job, 'Warning', 'ApplyFailed', 'conflict');
    expect(sink.events.size).toBe(3);
  });

  it('serializes concurrent records of one event, so a burst makes one object', async () => {
    const { sink, recorder } = setup();
    await Promise.all(Array.from({ length: 5 }, () => recorder.record(job, 'Normal', 'Synced', 'ok')));
    expect(sink.events.size).toBe(1);
    expect([...sink.events.values()][0].series?.count).toBe(5);
  });

  it('starts a new Event when the aggregated one expired on the server', async () => {
    const { sink, recorder } = setup();
    await recorder.record(job, 'Normal', 'Synced', 'ok');
    sink.events.clear();
    await recorder.record(job, 'Normal', 'Synced', 'ok');
    expect(sink.events.size).toBe(1);
    expect([...sink.events.values()][0].series).toBeUndefined();
  });

  it('never throws when the API is down', async () => {
    const { sink, recorder } = setup();
    sink.failCreate = true;
    await expect(recorder.record(job, 'Normal', 'Synced', 'ok')).resolves.toBeUndefined();
    sink.failCreate = false;
    await recorder.record(job, 'Normal', 'Synced', 'ok');
    expect(sink.events.size).toBe(1);
  });

  it('redacts credentials from notes and cuts them to 1 kB', async () => {
    const { sink, recorder } = setup();
    await recorder.record(job, 'Warning', 'SourceFailed', `cannot connect to postgres://fluxora:s3cret@db:5432/energy ${'x'.repeat(2000)}`);
    const note = [...sink.events.values()][0].note as string;
    expect(note).not.toContain('s3cret');
    expect(note).toContain('postgres://fluxora:***@db:5432/energy');
    expect(Buffer.byteLength(note)).toBeLessThanOrEqual(1024);
  });
});

describe('redactSecrets', () => {
  it('masks passwords, tokens and keys', () => {
    expect(redactSecrets('Authorization: Bearer eyJhbGciOi.abc.def failed')).toBe('Authorization: Bearer *** failed');
    expect(redactSecrets('password=hunter2&user=a')).toBe('password=***&user=a');
    expect(redactSecrets('api_key: "abc def" token=xyz')).toBe('api_key: *** token=***');
    expect(redactSecrets('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- tail')).toBe('[private key redacted] tail');
    expect(redactSecrets('nothing to hide')).toBe('nothing to hide');
  });
});
