/**
 * The console API client: the bearer token (from the URL fragment, kept in
 * sessionStorage), JSON fetches, and the watch stream read as a fetch()
 * ReadableStream of server-sent events (EventSource cannot send headers).
 */
import type { ErrorBody, ResourcesResponse } from '../api.ts';

const TOKEN_KEY = 'fluxora-console-token';

let token: string | null = null;
let authError: string | null = null;
let authEpoch = 0;
const authListeners = new Set<() => void>();

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function storeToken(value: string): void {
  token = value;
  try {
    sessionStorage.setItem(TOKEN_KEY, value);
  } catch {
    // Storage disabled: the token lives for this page only.
  }
}

/** takeUrlToken removes `token` from the URL fragment (`#token=abc`, `#/registry?token=abc`) and returns it. */
function takeUrlToken(): string | null {
  const hash = location.hash.slice(1);
  const q = hash.indexOf('?');
  const routed = hash.startsWith('/');
  const route = routed ? (q >= 0 ? hash.slice(0, q) : hash) : '/';
  const params = new URLSearchParams(routed ? (q >= 0 ? hash.slice(q + 1) : '') : hash);
  const fromUrl = params.get('token');
  if (fromUrl === null) return null;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}#${route}${rest ? `?${rest}` : ''}`);
  return fromUrl;
}

/**
 * initToken takes the token from the URL fragment, saves it and removes it from
 * the address bar; otherwise it reads the saved one. A link with a token opened
 * later in the same tab (only the fragment changes) signs in with that token.
 */
export function initToken(): void {
  token = readStoredToken();
  const fromUrl = takeUrlToken();
  if (fromUrl) storeToken(fromUrl);
  addEventListener('hashchange', () => {
    const next = takeUrlToken();
    if (next && next !== token) setToken(next);
  });
}

/** AuthState is what the token form needs. */
export interface AuthState {
  /** The server's message for the last 401/403, while no new token was given. */
  error: string | null;
  /** Bumped on every new token: everything refetches. */
  epoch: number;
}

export function authState(): AuthState {
  return { error: authError, epoch: authEpoch };
}

export function onAuthChange(listener: () => void): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

function notifyAuth(): void {
  for (const l of [...authListeners]) l();
}

function reportAuthError(message: string): void {
  if (authError === message) return;
  authError = message;
  notifyAuth();
}

/** setToken saves a token typed into the token form and retries everything. */
export function setToken(value: string): void {
  storeToken(value.trim());
  authError = null;
  authEpoch++;
  notifyAuth();
}

/** apiUrl resolves an API path against the page's directory, so the console works behind a path prefix. */
export function apiUrl(path: string): string {
  return new URL(`api/v1/${path}`, `${location.origin}${location.pathname}`).toString();
}

function headers(accept: string): Record<string, string> {
  const h: Record<string, string> = { Accept: accept };
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

/** ApiError is a failed request: the HTTP status (0 for a network failure) and the server's `error`. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText || 'error'}`.trim();
  try {
    const text = await res.text();
    try {
      const body = JSON.parse(text) as Partial<ErrorBody>;
      if (typeof body.error === 'string' && body.error) message = body.error;
    } catch {
      if (text && text.length < 300 && !text.trimStart().startsWith('<')) message = text.trim();
    }
  } catch {
    // Keep the status line.
  }
  const err = new ApiError(res.status, message);
  if (res.status === 401 || res.status === 403) reportAuthError(message);
  return err;
}

/** getJson fetches one API document; it rejects with an ApiError carrying the server's message. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), { headers: headers('application/json'), cache: 'no-store', signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, `cannot reach the console server (${(err as Error).message})`);
  }
  if (!res.ok) throw await errorOf(res);
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(res.status, 'the server answered something that is not JSON');
  }
}

/** SseEvent is one dispatched server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * SseParser parses a text/event-stream incrementally: `event:` and `data:` fields
 * (data may span several lines), comment lines starting with ':' ignored, an
 * empty line dispatching the event.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private readonly dispatch: (e: SseEvent) => void;

  constructor(dispatch: (e: SseEvent) => void) {
    this.dispatch = dispatch;
  }

  push(chunk: string): void {
    this.buffer += chunk;
    let start = 0;
    for (;;) {
      const nl = this.buffer.indexOf('\n', start);
      const cr = this.buffer.indexOf('\r', start);
      const end = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
      if (end < 0) break;
      let next = end + 1;
      if (this.buffer[end] === '\r') {
        // A CR at the very end of the buffer may be the first half of CRLF: wait for more.
        if (end === this.buffer.length - 1) break;
        if (this.buffer[end + 1] === '\n') next = end + 2;
      }
      this.line(this.buffer.slice(start, end));
      start = next;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.dispatch({ event: this.event || 'message', data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}

export type WatchStatus = 'live' | 'reconnecting';

export interface WatchHandlers {
  onResources(r: ResourcesResponse): void;
  onStatus(status: WatchStatus, error?: string): void;
}

/** No byte (not even a keep-alive comment, sent every 15 s) for this long: the stream is dead. */
const STALL_MS = 45_000;
const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 10_000;

/**
 * watchResources follows GET api/v1/watch, reconnecting with backoff (1 s to 10 s)
 * whenever the stream ends or fails, and at once when a new token is given.
 * It returns a function that stops it.
 */
export function watchResources(h: WatchHandlers): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let wake: (() => void) | null = null;
  const offAuth = onAuthChange(() => {
    if (authError === null) {
      controller?.abort();
      wake?.();
    }
  });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const connect = async (): Promise<boolean> => {
    const ctrl = new AbortController();
    controller = ctrl;
    let stall = setTimeout(() => ctrl.abort(), STALL_MS);
    let gotEvent = false;
    try {
      const res = await fetch(apiUrl('watch'), { headers: headers('text/event-stream'), cache: 'no-store', signal: ctrl.signal });
      if (!res.ok || !res.body) {
        const err = res.ok ? new ApiError(res.status, 'the watch answer has no body') : await errorOf(res);
        h.onStatus('reconnecting', err.message);
        return false;
      }
      const parser = new SseParser((e) => {
        if (e.event !== 'resources') return;
        let parsed: ResourcesResponse;
        try {
          parsed = JSON.parse(e.data) as ResourcesResponse;
        } catch {
          return;
        }
        if (!gotEvent) h.onStatus('live');
        gotEvent = true;
        h.onResources(parsed);
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        clearTimeout(stall);
        stall = setTimeout(() => ctrl.abort(), STALL_MS);
        parser.push(value);
      }
      if (!stopped) h.onStatus('reconnecting', 'the watch stream ended');
    } catch (err) {
      if (!stopped) h.onStatus('reconnecting', ctrl.signal.aborted ? 'the watch stream stalled' : `cannot reach the console server (${(err as Error).message})`);
    } finally {
      clearTimeout(stall);
      if (controller === ctrl) controller = null;
    }
    return gotEvent;
  };

  void (async () => {
    let backoff = MIN_BACKOFF_MS;
    while (!stopped) {
      const epoch = authEpoch;
      const healthy = await connect();
      if (stopped) break;
      if (healthy) backoff = MIN_BACKOFF_MS;
      // A new token reconnects at once.
      if (epoch !== authEpoch) continue;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  })();

  return () => {
    stopped = true;
    offAuth();
    controller?.abort();
    wake?.();
  };
}
