import { open } from 'node:fs/promises';
import { DataError } from './data-error.ts';
import type { ResolvedSource } from './spec.ts';

/** DEFAULT_FETCH_TIMEOUT_MS bounds a URL download (headers and body) unless the caller says otherwise. */
export const DEFAULT_FETCH_TIMEOUT_MS = 120_000;

const FILE_CHUNK_BYTES = 1 << 20;

/** Chunks is a stream of text or UTF-8 byte chunks: a Node Readable, a web stream, a generator or an array. */
export type Chunks = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** TextSource is a file, URL or inline-text source (CSV or JSON lines). */
export type TextSource = Exclude<ResolvedSource, { format: 'postgres' }>;

/**
 * openTextSource opens a file, URL or inline text as a stream of chunks, never
 * reading the whole content at once: files in 1 MiB chunks, URLs as the response
 * body arrives (fetched with `timeoutMs` covering headers and body), inline text as
 * one chunk. A missing file or an HTTP error is a DataError.
 */
export async function openTextSource(
  source: TextSource,
  signal: AbortSignal | undefined,
  timeoutMs: number = DEFAULT_FETCH_TIMEOUT_MS,
): Promise<Chunks> {
  if ('text' in source) return [source.text];
  if ('file' in source) {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(source.file, 'r');
    } catch (e) {
      throw new DataError('SourceUnavailable', `cannot open ${source.file}: ${(e as Error).message}`, { cause: e });
    }
    return handle.createReadStream({ highWaterMark: FILE_CHUNK_BYTES, signal });
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  let response: Response;
  try {
    response = await fetch(source.url, { signal: combined });
  } catch (e) {
    throw fetchError(source.url, e, timeoutMs, signal);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new DataError('FetchFailed', `GET ${source.url}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const body = response.body;
  if (body === null) return [];
  return guardBody(body, source.url, timeoutMs, signal);
}

async function* guardBody(
  body: ReadableStream<Uint8Array>,
  url: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (e) {
    throw fetchError(url, e, timeoutMs, signal);
  }
}

/** fetchError turns a fetch failure into a DataError, except the caller's own abort. */
function fetchError(url: string, e: unknown, timeoutMs: number, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (e instanceof Error && e.name === 'TimeoutError') {
    return new DataError('FetchFailed', `GET ${url}: timed out after ${timeoutMs} ms`, { cause: e });
  }
  const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return new DataError('FetchFailed', `GET ${url}: ${(e as Error).message}${cause}`, { cause: e });
}
