import { classifyHttpStatus, classifyRequestError, parseRetryAfter } from './classify';

describe('app server answers', () => {
  it.each([
    [200, 'delivered'], [202, 'delivered'], [204, 'delivered'],
    [408, 'transient'], [429, 'transient'], [500, 'transient'], [502, 'transient'], [503, 'transient'],
    [404, 'permanent'], [410, 'permanent'], [400, 'permanent'], [401, 'permanent'], [403, 'permanent'], [413, 'permanent'],
    [301, 'transient'], [302, 'transient'], [100, 'transient'],
  ])('HTTP %i is %s', (status, kind) => {
    expect(classifyHttpStatus(status).kind).toBe(kind);
  });

  it('says why a registration is disabled: gone for 404/410, rejected for other 4xx', () => {
    expect(classifyHttpStatus(410)).toEqual({ kind: 'permanent', reason: 'gone', detail: 'HTTP 410' });
    expect(classifyHttpStatus(404)).toMatchObject({ reason: 'gone' });
    expect(classifyHttpStatus(403)).toMatchObject({ reason: 'rejected' });
  });

  it('honours Retry-After on 429 and 503', () => {
    expect(classifyHttpStatus(429, '7')).toEqual({ kind: 'transient', detail: 'HTTP 429', retryAfterMs: 7_000 });
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(classifyHttpStatus(503, 'Wed, 01 Jan 2025 00:00:30 GMT', now)).toMatchObject({ retryAfterMs: 30_000 });
    expect(classifyHttpStatus(503, 'soon')).toEqual({ kind: 'transient', detail: 'HTTP 503' });
  });

  it('parses Retry-After forms', () => {
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter('0', 0)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', 5_000)).toBe(0);
  });

  it('retries requests that got no answer', () => {
    expect(classifyRequestError(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toEqual({ kind: 'transient', detail: 'timed out' });
    expect(classifyRequestError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toEqual({ kind: 'transient', detail: 'ECONNREFUSED' });
  });
});
