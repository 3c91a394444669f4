import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, ServeError } from './errors.ts';
import { HistoryError } from './loaded-model.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';

interface CodedError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  name?: unknown;
}

/**
 * toServeError maps anything thrown while handling a request to an entry of the
 * error table: our own errors as they are, a HistoryError to 400, fastify's
 * content-type parser errors (FST_ERR_CTP_*, JSON syntax, prototype poisoning) and
 * router errors to their 4xx, any other 4xx-coded error to 400, the rest to a 500
 * whose message reveals nothing.
 */
export function toServeError(error: unknown, request?: FastifyRequest, bodyLimit?: number): ServeError {
  if (error instanceof ServeError) return error;
  const coded = (typeof error === 'object' && error !== null ? error : {}) as CodedError;
  const message = typeof coded.message === 'string' ? clip(coded.message) : '';
  if (error instanceof HistoryError || coded.code === 'FST_FLUXORA_BAD_HISTORY') {
    return new errors.FST_FLUXORA_BAD_HISTORY(message);
  }
  switch (coded.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new errors.FST_FLUXORA_BODY_TOO_LARGE(bodyLimit ?? 0);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new errors.FST_FLUXORA_UNSUPPORTED_MEDIA_TYPE(JSON.stringify(clip(String(request?.headers['content-type'] ?? 'none'))));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new errors.FST_FLUXORA_INVALID_JSON('the body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new errors.FST_FLUXORA_INVALID_JSON(message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new errors.FST_FLUXORA_INVALID_REQUEST('the body size does not match Content-Length');
    case 'FST_ERR_BAD_URL':
      return new errors.FST_FLUXORA_BAD_URL(message);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new errors.FST_FLUXORA_URI_TOO_LONG();
  }
  const status = typeof coded.statusCode === 'number' ? coded.statusCode : 500;
  if (status === 400 && (error instanceof SyntaxError || coded.name === 'SyntaxError')) {
    // fastify's JSON parser: invalid JSON, or __proto__ / constructor.prototype keys.
    return new errors.FST_FLUXORA_INVALID_JSON(message);
  }
  if (status >= 400 && status < 500) return new errors.FST_FLUXORA_INVALID_REQUEST(message);
  return new errors.FST_FLUXORA_INTERNAL();
}

/**
 * createErrorHandler returns fastify's error handler: every error leaves as
 * `{"error": message}` with its status and headers. 5xx are logged at error level
 * with the original error (stack included), 4xx at debug.
 */
export function createErrorHandler(bodyLimit: number) {
  return function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const serveError = toServeError(error, request, bodyLimit);
    if (serveError.statusCode >= 500 && serveError.code !== 'FST_FLUXORA_OVERLOADED') {
      request.log.error({ err: error, code: serveError.code }, 'Request failed');
    } else {
      request.log.debug({ code: serveError.code, reason: serveError.message }, 'Request refused');
    }
    return sendError(reply, serveError);
  };
}

/** sendError writes a ServeError as the response: its status, its headers, `{"error": message}`. */
export function sendError(reply: FastifyReply, error: ServeError): FastifyReply {
  reply.code(error.statusCode);
  if (error.headers !== undefined) reply.headers(error.headers);
  return reply.send({ error: error.message });
}

/** notFoundHandler answers unknown routes (and unknown methods on known paths) with a coded 404. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, new errors.FST_FLUXORA_ROUTE_NOT_FOUND(request.method, clip(request.url)));
}

/**
 * frameworkErrors is fastify's handler for errors raised before routing (a URL that
 * does not decode, an over-long path parameter): coded, `{"error": message}`.
 */
export function frameworkErrors(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header(REQUEST_ID_HEADER, request.id);
  return sendError(reply, toServeError(error, request));
}

/**
 * clientErrorHandler answers HTTP-level client errors (malformed request line or
 * headers, headers too large, request timeout) straight on the socket, as
 * `{"error": message}` like everything else, then destroys it.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const serveError =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new errors.FST_FLUXORA_REQUEST_TIMEOUT()
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new errors.FST_FLUXORA_HEADERS_TOO_LARGE()
        : new errors.FST_FLUXORA_BAD_HTTP();
  const body = JSON.stringify({ error: serveError.message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${serveError.statusCode} ${STATUS_CODES[serveError.statusCode]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
