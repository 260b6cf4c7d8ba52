/**
 * Localpart enforcement (RFC 7622 §3.3): the UsernameCaseMapped profile of the PRECIS
 * IdentifierClass (RFC 8265 §3.3) minus eight ASCII characters.
 */
import { bidiProblem, hasRtl } from './bidi';
import { JidError, codePointName } from './error';
import { checkCodePoints, checkRawSize, checkSize, mapWidth, stabilize } from './precis';

/**
 * RFC 7622 §3.3.1: " & ' / : < > @ are valid in the IdentifierClass but not in a localpart,
 * kept out as the nodeprep profile of RFC 6122 kept them out.
 */
const EXCLUDED = new Set([0x22, 0x26, 0x27, 0x2f, 0x3a, 0x3c, 0x3e, 0x40]);

/** Width, case and normalization rules, in RFC 8265 §3.3.1's order. */
function mapRules(s: string): string {
  // The case mapping rule is Unicode toLowerCase() (RFC 8265 §3.3.1, RFC 8264 §5.2.3), not the
  // case folding of the earlier PRECIS RFCs; String.prototype.toLowerCase is that operation,
  // locale-free (Final_Sigma context included).
  return mapWidth(s).toLowerCase().normalize('NFC');
}

/** Enforces the localpart rules; returns the canonical localpart or throws a JidError. */
export function normalizeLocalpart(s: string): string {
  // Fast path: printable ASCII is IdentifierClass-valid as is, and lowercasing is its only rule.
  let upper = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return enforce(s);
    if (c <= 0x20 || c === 0x7f || EXCLUDED.has(c)) {
      throw new JidError('local', `disallowed code point ${codePointName(c)}`);
    }
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  return checkSize(upper ? s.toLowerCase() : s, 'local', true);
}

function enforce(s: string): string {
  checkRawSize(s, 'local');
  // Preparation (RFC 8265 §3.3.2): width-map, then every code point must be in the
  // IdentifierClass. Checking before case mapping is what rejects e.g. KELVIN SIGN, which
  // would otherwise lowercase to a plain "k".
  checkCodePoints(mapWidth(s), 'identifier', 'local', false);
  const out = stabilize(s, mapRules, 'local');
  // Behavioural rules on the enforced string (RFC 8264 §7), contextual rules included.
  const cps = checkCodePoints(out, 'identifier', 'local', true);
  const excluded = cps.find((cp) => EXCLUDED.has(cp));
  if (excluded !== undefined) throw new JidError('local', `disallowed code point ${codePointName(excluded)}`);
  if (hasRtl(cps)) {
    const problem = bidiProblem(cps);
    if (problem) throw new JidError('local', problem);
  }
  return checkSize(out, 'local', false);
}
