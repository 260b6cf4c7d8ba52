/**
 * The PRECIS OpaqueString profile (RFC 8265 §4.2), the one implementation for every string that
 * uses it: JID resourceparts (RFC 7622 §3.4) and passwords (SASL PLAIN and SCRAM, replacing
 * SASLprep). Rules in the order of RFC 8264 §7: width mapping none, non-ASCII spaces to U+0020,
 * case mapping none, NFC, directionality none; every code point must be allowed by the
 * FreeformClass, contextual ones only where their rule holds (RFC 5892 Appendix A).
 */
import type { JidPart } from './error';
import { checkCodePoints, stabilize } from './precis';

const NON_ASCII_SPACE = /(?!\u0020)\p{Zs}/gu;

/** RFC 8265 §4.2.2: non-ASCII spaces become U+0020, then NFC. */
function mapRules(s: string): string {
  return s.replace(NON_ASCII_SPACE, ' ').normalize('NFC');
}

/**
 * Enforces the profile; throws a JidError naming `part` and the offending code point (never the
 * string). Size limits are the caller's: they differ between resourceparts and passwords.
 */
export function enforceOpaqueString(s: string, part: JidPart): string {
  checkCodePoints(s, 'freeform', part, false); // preparation, RFC 8265 §4.2.1
  const out = stabilize(s, mapRules, part);
  checkCodePoints(out, 'freeform', part, true); // RFC 8264 §7, contextual rules included
  return out;
}
