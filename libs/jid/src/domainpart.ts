/**
 * Domainpart enforcement (RFC 7622 §3.2): an IPv4 address, an IPv6 literal in brackets, or a
 * domain name made of NR-LDH labels and U-labels (IDNA2008, RFC 5890 §2.3.2), kept in U-label
 * form: A-labels are decoded, because RFC 7622 §3.2.1 forbids them in a domainpart.
 */
import { isIPv6 } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import { bidiProblem, hasRtl } from './bidi';
import { JidError, codePointName } from './error';
import { MAX_PART_OCTETS, checkCodePoints, checkRawSize, checkSize, mapWidth } from './precis';

/** RFC 3986 §3.2.2 IPv4address: four dec-octets, no leading zeros. */
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** RFC 1035 §2.3.4, RFC 5890 §2.3.2.1: a label (its A-label, for an IDN) is 1..63 octets. */
const MAX_LABEL_OCTETS = 63;
/** RFC 5892 §2.4 IgnorableBlocks: combining marks for symbols, musical notation. */
const IGNORABLE_BLOCKS = /[\u20d0-\u20ff\u{1d100}-\u{1d24f}]/u;
const LEADING_MARK = /^\p{M}/u;

/** Enforces the domainpart rules; returns the canonical domainpart or throws a JidError. */
export function normalizeDomainpart(s: string): string {
  // RFC 7622 §3.2: a final label separator is stripped before any other canonicalization.
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  return plainHostname(name) ?? cachedEnforce(name);
}

/**
 * Enforced IDNs and IP literals by input. A deployment sees few distinct domains, and the
 * IDNA round trips cost microseconds, so they are remembered; the cache is emptied when full
 * and only short, valid names enter it, which bounds its memory whatever the input.
 */
const enforced = new Map<string, string>();
const CACHE_ENTRIES = 1024;
const CACHE_KEY_UNITS = 255;

function cachedEnforce(name: string): string {
  const hit = enforced.get(name);
  if (hit !== undefined) return hit;
  const out = enforce(name);
  if (name.length <= CACHE_KEY_UNITS) {
    if (enforced.size >= CACHE_ENTRIES) enforced.clear();
    enforced.set(name, out);
  }
  return out;
}

/**
 * Fast path, one pass with no allocation: an ASCII host name whose labels are all plain NR-LDH
 * and whose top label is not numeric comes back lowercased. Anything else (IP addresses,
 * A-labels, non-ASCII, every error) returns undefined and goes through `enforce`.
 */
function plainHostname(name: string): string | undefined {
  const n = name.length;
  if (n === 0 || n > MAX_PART_OCTETS) return undefined;
  let upper = false;
  let numeric = true; // the current label is all digits so far
  let start = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? name.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      const len = i - start;
      if (len === 0 || len > MAX_LABEL_OCTETS) return undefined;
      if (name.charCodeAt(start) === 0x2d || name.charCodeAt(i - 1) === 0x2d) return undefined;
      if (len >= 4 && name.charCodeAt(start + 2) === 0x2d && name.charCodeAt(start + 3) === 0x2d) return undefined;
      if (i < n) numeric = true;
      start = i + 1;
    } else if (c >= 0x61 && c <= 0x7a) {
      numeric = false;
    } else if (c >= 0x41 && c <= 0x5a) {
      upper = true;
      numeric = false;
    } else if (c === 0x2d) {
      numeric = false;
    } else if (c < 0x30 || c > 0x39) {
      return undefined;
    }
  }
  if (numeric) return undefined;
  return upper ? name.toLowerCase() : name;
}

function enforce(name: string): string {
  checkRawSize(name, 'domain');
  if (name.startsWith('[')) return ipLiteral(name);
  // RFC 7622 §3.2.2 asks for case, width and normalization mapping; this is RFC 5895 §2's
  // order (lowercase, width, NFC), which also makes the ideographic full stop a separator.
  const mapped = mapWidth(name.toLowerCase()).normalize('NFC').replace(/\u3002/g, '.');
  if (IPV4.test(mapped)) return mapped;
  checkSize(mapped, 'domain', false);
  const labels = mapped.split('.').map((label) => {
    if (!/^[\x00-\x7f]*$/.test(label)) return uLabel(label);
    if (label.startsWith('xn--')) return aLabel(label);
    checkLdhLabel(label);
    return label;
  });
  // RFC 5893 §2: once any label is right-to-left, every label must pass the Bidi Rule.
  const cps = labels.map((label) => Array.from(label, (ch) => ch.codePointAt(0)!));
  if (cps.some(hasRtl)) {
    for (const label of cps) {
      const problem = bidiProblem(label);
      if (problem) throw new JidError('domain', `label ${String.fromCodePoint(...label)} ${problem}`);
    }
  }
  const out = labels.join('.');
  checkTopLabel(out);
  return checkSize(out, 'domain', false);
}

/** An NR-LDH label (RFC 5890 §2.3.1): letters, digits, hyphens; not R-LDH ("ab--"). */
function checkLdhLabel(label: string): void {
  if (label.length === 0) throw new JidError('domain', 'empty label');
  const bad = /[^a-z0-9-]/.exec(label);
  if (bad) throw new JidError('domain', `disallowed code point ${codePointName(bad[0].codePointAt(0)!)}`);
  if (label.length > MAX_LABEL_OCTETS) throw new JidError('domain', `label longer than ${MAX_LABEL_OCTETS} octets`);
  checkHyphens(label);
}

/** RFC 5891 §4.2.3.1; also RFC 1123 §2.1 for LDH labels. */
function checkHyphens(label: string): void {
  if (label.startsWith('-') || label.endsWith('-')) throw new JidError('domain', 'label starts or ends with a hyphen');
  if (label.slice(2, 4) === '--') throw new JidError('domain', 'label has "--" in the third and fourth positions');
}

/** RFC 3696 §2: a top-level label is never all-numeric, so "1.2.3.999" is no domain name. */
function checkTopLabel(name: string): void {
  if (/(?:^|\.)\d+$/.test(name)) throw new JidError('domain', 'neither an IPv4 address nor a domain name');
}

/** A U-label (RFC 5890 §2.3.2.1): IDNA2008-valid, already in the form IDNA would produce. */
function uLabel(label: string): string {
  // IDNA2008's PVALID set is the IdentifierClass's letters and digits (both are built on RFC
  // 5892 §2); ASCII is limited to LDH and a few blocks are excluded.
  checkCodePoints(label, 'identifier', 'domain', true);
  const bad = /[^\u0080-\u{10ffff}a-z0-9-]/u.exec(label) ?? IGNORABLE_BLOCKS.exec(label);
  if (bad) throw new JidError('domain', `disallowed code point ${codePointName(bad[0].codePointAt(0)!)}`);
  if (LEADING_MARK.test(label)) throw new JidError('domain', 'label starts with a combining mark');
  checkHyphens(label);
  // The WHATWG host parser's UTS #46 processing adds the checks above lack (ZWJ/ZWNJ contexts
  // exactly, punycode), and the round trip proves it did not have to map anything.
  const ascii = domainToASCII(label);
  if (!ascii.startsWith('xn--') || domainToUnicode(ascii) !== label) {
    throw new JidError('domain', `label ${label} is not a valid internationalized label`);
  }
  if (ascii.length > MAX_LABEL_OCTETS) {
    throw new JidError('domain', `label longer than ${MAX_LABEL_OCTETS} octets as an A-label`);
  }
  return label;
}

/** An A-label becomes its U-label, if it is the canonical encoding of a valid one. */
function aLabel(label: string): string {
  const unicode = domainToUnicode(label);
  if (!/[^\x00-\x7f]/.test(unicode) || domainToASCII(unicode) !== label) {
    throw new JidError('domain', `label ${label} is not a valid A-label`);
  }
  return uLabel(unicode);
}

/** RFC 3986 §3.2.2 IP-literal, IPv6 only; written the WHATWG (RFC 5952 §4) way. */
function ipLiteral(name: string): string {
  const inner = name.endsWith(']') ? name.slice(1, -1) : '';
  if (/^[0-9a-fA-F:.]+$/.test(inner) && isIPv6(inner)) {
    try {
      return new URL(`http://[${inner}]/`).hostname;
    } catch {
      // the URL parser disagrees with net.isIPv6: treat it as malformed
    }
  }
  throw new JidError('domain', 'invalid IPv6 literal');
}
