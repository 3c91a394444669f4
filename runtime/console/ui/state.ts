/** Hooks shared by the pages: the route, the watch, API documents, the clock. */
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ResourcesResponse } from '../api.ts';
import { ApiError, authState, getJson, onAuthChange, type WatchStatus } from './client.ts';

/** Route is the page the URL fragment names. */
export type Route =
  | { page: 'resources' }
  | { page: 'registry' }
  | { page: 'trainingjob' | 'modeldeployment' | 'driftmonitor'; namespace: string; name: string }
  | { page: 'notfound'; path: string };

const DETAIL: Record<string, 'trainingjob' | 'modeldeployment' | 'driftmonitor'> = {
  trainingjobs: 'trainingjob',
  modeldeployments: 'modeldeployment',
  driftmonitors: 'driftmonitor',
};

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function parseRoute(hash: string): Route {
  let path = hash.replace(/^#/, '');
  const q = path.indexOf('?');
  if (q >= 0) path = path.slice(0, q);
  if (!path.startsWith('/')) path = '/';
  const parts = path.split('/').filter(Boolean).map(decode);
  if (parts.length === 0) return { page: 'resources' };
  if (parts.length === 1 && parts[0] === 'registry') return { page: 'registry' };
  const page = DETAIL[parts[0]];
  if (page && parts.length === 3) return { page, namespace: parts[1], name: parts[2] };
  return { page: 'notfound', path };
}

/** href is the fragment link of a page. */
export function href(kind: string, namespace: string, name: string): string {
  return `#/${kind.toLowerCase()}s/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** WatchState is what the watch stream last said. */
export interface WatchState {
  status: WatchStatus;
  /** Why it is reconnecting, when it is. */
  error?: string;
  data?: ResourcesResponse;
  /** Bumped on every `resources` event. */
  version: number;
}

export const WatchContext = createContext<WatchState>({ status: 'reconnecting', version: 0 });

export function useWatch(): WatchState {
  return useContext(WatchContext);
}

export function useAuth() {
  const [state, setState] = useState(authState);
  useEffect(() => onAuthChange(() => setState(authState())), []);
  return state;
}

/** useNow is the time, updated every `everyMs`. */
export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** useThrottled follows `value`, changing at most once per `ms` (the last change always gets through). */
export function useThrottled<T>(value: T, ms: number): T {
  const [out, setOut] = useState(value);
  const last = useRef(Date.now());
  useEffect(() => {
    if (Object.is(value, out)) return;
    const apply = () => {
      last.current = Date.now();
      setOut(value);
    };
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      apply();
      return;
    }
    const t = setTimeout(apply, wait);
    return () => clearTimeout(t);
  }, [value, out, ms]);
  return out;
}

/** Loaded is a fetched document: the last good data and the last error. */
export interface Loaded<T> {
  data?: T;
  error?: string;
  status?: number;
  loading: boolean;
}

/**
 * useApi fetches an API document, again whenever `refresh` changes, a new token
 * is given, or every `pollMs` if set; the previous data stays while it reloads.
 */
export function useApi<T>(path: string, refresh: unknown, pollMs?: number): Loaded<T> {
  const { epoch } = useAuth();
  const [state, setState] = useState<Loaded<T> & { path: string }>({ path, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!pollMs) return;
    const t = setInterval(() => setTick((n) => n + 1), pollMs);
    return () => clearInterval(t);
  }, [pollMs]);
  // refresh, epoch and tick only trigger a refetch.
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => (s.path === path ? { ...s, loading: true } : { path, loading: true }));
    getJson<T>(path, ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setState({ path, data, loading: false });
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        const status = err instanceof ApiError ? err.status : 0;
        const message = err instanceof Error ? err.message : String(err);
        // A failed refetch keeps the data but shows why it is stale.
        setState((s) => ({ path, data: s.path === path ? s.data : undefined, error: message, status, loading: false }));
      },
    );
    return () => ctrl.abort();
  }, [path, refresh, epoch, tick]);
  return state.path === path ? state : { loading: true };
}

/**
 * useResourceDoc is a detail page's document: fetched once, then again when a
 * `resources` event arrives (the resource's status may have changed), at most once per 2 s.
 */
export function useResourceDoc<T>(path: string, pollMs?: number): Loaded<T> {
  const { version } = useWatch();
  const refresh = useThrottled(version, 2000);
  return useApi<T>(path, refresh, pollMs);
}
