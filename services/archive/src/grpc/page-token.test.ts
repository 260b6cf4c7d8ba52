import { status } from '@grpc/grpc-js';
import { decodePageToken, encodePageToken } from './page-token';

describe('page tokens', () => {
  const request = ['alice@example.org', '', 0, 0, '', '', 50, false];

  it('round-trips a position for the same request', () => {
    expect(decodePageToken(encodePageToken(1234, request), request)).toBe(1234);
    expect(decodePageToken('', request)).toBeUndefined();
  });

  it('refuses a token of another request, or garbage, as INVALID_ARGUMENT', () => {
    const token = encodePageToken(1234, request);
    expect(() => decodePageToken(token, [...request.slice(0, 6), 20, false])).toThrow(expect.objectContaining({ code: status.INVALID_ARGUMENT }));
    expect(() => decodePageToken('not-a-token', request)).toThrow(expect.objectContaining({ code: status.INVALID_ARGUMENT }));
    expect(() => decodePageToken(Buffer.from('{"v":1,"p":-5,"f":"x"}').toString('base64url'), request)).toThrow(expect.objectContaining({ code: status.INVALID_ARGUMENT }));
  });
});
