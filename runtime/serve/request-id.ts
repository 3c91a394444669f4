import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** REQUEST_ID_HEADER carries the request id in (honoured when well-formed) and out (always). */
export const REQUEST_ID_HEADER = 'x-request-id';

const WELL_FORMED = /^[\w.:/+=@-]{1,128}$/;

/** SEQUENCE_SPAN is how many ids one random prefix serves (16^12, the last UUID group) before a new prefix is drawn. */
const SEQUENCE_SPAN = 16 ** 12;

let prefix = '';
let sequence = SEQUENCE_SPAN;

/**
 * newRequestId returns a fresh id in UUID v4 layout: a random prefix (the first four
 * groups of a crypto-random UUID, 74 random bits) drawn once per process, then a
 * 48-bit counter as the last group. Ids are unique within the process and, through
 * the prefix, across pods, while costing a counter increment instead of random
 * bytes and a UUID serialisation per request. They are not secrets: like any
 * request id they only correlate log lines.
 */
export function newRequestId(): string {
  if (sequence >= SEQUENCE_SPAN) {
    prefix = randomUUID().slice(0, 24);
    sequence = 0;
  }
  const counter = (sequence++).toString(16);
  return prefix + '000000000000'.slice(counter.length) + counter;
}

/**
 * requestId is fastify's genReqId: the caller's `x-request-id` when it is 1 to 128
 * characters of letters, digits and `_.:/+=@-` (enough for UUIDs, trace ids and
 * base64), otherwise a fresh id (newRequestId), so a hostile header can neither
 * bloat nor forge log lines.
 */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : newRequestId();
}
