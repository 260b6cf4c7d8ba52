import { createHash } from 'node:crypto';
import { invalid } from './errors';

/**
 * Opaque page tokens: where the next page starts, bound to the request that made them (a
 * token used with other filters is INVALID_ARGUMENT rather than a silently wrong page).
 */
interface TokenBody {
  v: 1;
  /** Position to continue from (exclusive). */
  p: number;
  /** Fingerprint of the request's other fields. */
  f: string;
}

export function fingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodePageToken(position: number, request: readonly unknown[]): string {
  const body: TokenBody = { v: 1, p: position, f: fingerprint(request) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The position a token continues from, or undefined for no token. */
export function decodePageToken(token: string, request: readonly unknown[]): number | undefined {
  if (!token) return undefined;
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw invalid('page_token is not a token this API issued');
  }
  if (body.v !== 1 || typeof body.p !== 'number' || !Number.isSafeInteger(body.p) || body.p < 0) throw invalid('page_token is not a token this API issued');
  if (body.f !== fingerprint(request)) throw invalid('page_token belongs to a request with other parameters');
  return body.p;
}
