/**
 * Resourcepart enforcement (RFC 7622 §3.4): the OpaqueString profile of the PRECIS
 * FreeformClass (RFC 8265 §4.2). Case and width are preserved, spaces, symbols, '@' and '/'
 * are allowed, and there is no directionality rule.
 */
import { JidError, codePointName } from './error';
import { enforceOpaqueString } from './opaque-string';
import { checkRawSize, checkSize } from './precis';

/** Enforces the resourcepart rules; returns the canonical resourcepart or throws a JidError. */
export function normalizeResourcepart(s: string): string {
  // Fast path: ASCII from SPACE to '~' is FreeformClass-valid and no rule changes it.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return enforce(s);
    if (c < 0x20 || c === 0x7f) throw new JidError('resource', `disallowed code point ${codePointName(c)}`);
  }
  return checkSize(s, 'resource', true);
}

function enforce(s: string): string {
  checkRawSize(s, 'resource');
  return checkSize(enforceOpaqueString(s, 'resource'), 'resource', false);
}
