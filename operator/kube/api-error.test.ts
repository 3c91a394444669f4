import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { errorText, isConflict, isGone, isNotFound, statusCodeOf } from './api-error.ts';

describe('API errors', () => {
  const forbidden = new ApiException(
    403,
    'HTTP-Code: 403 Message: Unknown API Status Code! Body: "{...}" Headers: {...}',
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'tokenreviews.authentication.k8s.io is forbidden: User "system:serviceaccount:x:y" cannot create resource "tokenreviews"', reason: 'Forbidden', code: 403 }),
    {},
  );

  it('reads the status of every shape a failed call has', () => {
    expect(statusCodeOf(forbidden)).toBe(403);
    expect(statusCodeOf({ statusCode: 410 })).toBe(410);
    expect(statusCodeOf(new Error('socket hang up'))).toBeUndefined();
    expect([isNotFound({ code: 404 }), isConflict({ code: 409 }), isGone({ statusCode: 410 }), isNotFound({ code: 409 })]).toEqual([true, true, true, false]);
  });

  it('says why in one line: the status and the server message, or the network error and its cause', () => {
    expect(errorText(forbidden)).toBe('HTTP 403: tokenreviews.authentication.k8s.io is forbidden: User "system:serviceaccount:x:y" cannot create resource "tokenreviews"');
    expect(errorText(new ApiException(502, 'bad gateway', '<html>proxy error</html>', {}))).toBe('HTTP 502');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    expect(errorText(new TypeError('fetch failed', { cause: refused }))).toBe('fetch failed: ECONNREFUSED');
    expect(errorText(new Error('boom', { cause: new Error('deeper') }))).toBe('boom: deeper');
    expect(errorText('plain')).toBe('plain');
  });
});
