import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from './errors.ts';

/** MAX_KEY_LENGTH bounds a presented key; longer ones are refused without being hashed. */
export const MAX_KEY_LENGTH = 4096;

/** AuthOptions turns API-key authentication on. */
export interface AuthOptions {
  /** Keys accepted as `authorization: Bearer KEY` or `x-api-key: KEY`; at least one, none empty. */
  apiKeys: string[];
}

/**
 * ApiKeyCheck verifies request headers against the configured keys; `check` throws
 * FST_FLUXORA_UNAUTHORIZED (401, `WWW-Authenticate: Bearer`) unless a key matches.
 */
export interface ApiKeyCheck {
  check(headers: IncomingHttpHeaders): void;
}

/**
 * createApiKeyCheck keeps only SHA-256 digests of the keys and compares the digest of
 * what a request presents with every one of them using crypto.timingSafeEqual: the
 * digests have a fixed length, so neither a key's length nor how much of it matched
 * shows in the timing, and every key is compared (no early exit on the first match).
 * Keys never appear in errors or logs.
 */
export function createApiKeyCheck(options: AuthOptions): ApiKeyCheck {
  const keys = options.apiKeys;
  if (!Array.isArray(keys) || keys.length === 0) throw new RangeError('auth.apiKeys: expected at least one key');
  const digests = keys.map((key, i) => {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new RangeError(`auth.apiKeys[${i}]: expected a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
    }
    return digest(key);
  });
  const matches = (presented: string): boolean => {
    const candidate = digest(presented);
    let found = false;
    for (const known of digests) found = timingSafeEqual(candidate, known) || found;
    return found;
  };
  return {
    check(headers) {
      if (headers.authorization === undefined && headers['x-api-key'] === undefined) {
        throw new errors.FST_FLUXORA_UNAUTHORIZED('Missing API key: send authorization: Bearer KEY or x-api-key: KEY');
      }
      const presented = presentedKeys(headers);
      let ok = false;
      for (const key of presented) ok = matches(key) || ok;
      if (!ok) throw new errors.FST_FLUXORA_UNAUTHORIZED('Invalid API key');
    },
  };
}

/** presentedKeys collects the keys a request presents, from both headers, bounded in length. */
function presentedKeys(headers: IncomingHttpHeaders): string[] {
  const keys: string[] = [];
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.length <= MAX_KEY_LENGTH + 7) {
    const space = authorization.indexOf(' ');
    if (space > 0 && authorization.slice(0, space).toLowerCase() === 'bearer') {
      const token = authorization.slice(space + 1).trim();
      if (token.length > 0) keys.push(token);
    }
  }
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0 && apiKey.length <= MAX_KEY_LENGTH) keys.push(apiKey.trim());
  return keys;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
