import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** REQUEST_ID_HEADER carries the request id in (honoured when well-formed) and out (always). */
export const REQUEST_ID_HEADER = 'x-request-id';

const WELL_FORMED = /^[\w.:/+=@-]{1,128}$/;

/**
 * requestId is fastify's genReqId: the caller's `x-request-id` when it is 1 to 128
 * characters of letters, digits and `_.:/+=@-` (enough for UUIDs, trace ids and
 * base64), otherwise a fresh UUID, so a hostile header can neither bloat nor forge
 * log lines.
 */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID();
}
