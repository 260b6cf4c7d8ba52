/**
 * The PRECIS machinery shared by the three JID parts: code point dispositions for the
 * IdentifierClass and FreeformClass (RFC 8264 §8-§9), the contextual rules they borrow from
 * IDNA2008 (RFC 5892 Appendix A), the width mapping rule (RFC 8264 §5.2.1) and the
 * "apply until stable" loop (RFC 8264 §7).
 *
 * Unicode properties come from the JS engine (\p{...} regexes, String.prototype.normalize), so
 * dispositions follow the engine's Unicode version, which is how RFC 8264 §9 means them to be
 * computed, rather than a frozen IANA table. Only non-ASCII input reaches this file: each part
 * has its own ASCII fast path.
 */
import { JidError, codePointName, type JidPart } from './error';

export type StringClass = 'identifier' | 'freeform';
export type Disposition = 'valid' | 'contextj' | 'contexto' | 'disallowed' | 'unassigned';

/** RFC 7622 §3.2, §3.3, §3.4: every part is 1..1023 octets of UTF-8 after enforcement. */
export const MAX_PART_OCTETS = 1023;

/**
 * Input longer than this (UTF-16 units) cannot come down to 1023 octets: the mappings and NFC
 * turn at most 4 code points into 1 (the longest canonical composition) and a code point is at
 * most 2 units, so a valid part has under 8 units of input per output octet; 16 leaves margin.
 * Refusing early bounds the work a hostile stanza can buy with a huge address.
 */
export const MAX_RAW_UNITS = 16 * MAX_PART_OCTETS;

/** RFC 5892 §2.6, used by RFC 8264 §9.6 ("Exceptions" comes first in the algorithm). */
const EXCEPTIONS: ReadonlyMap<number, Disposition> = new Map<number, Disposition>([
  [0x00df, 'valid'], // ß
  [0x03c2, 'valid'], // ς
  [0x06fd, 'valid'],
  [0x06fe, 'valid'],
  [0x0f0b, 'valid'],
  [0x3007, 'valid'],
  [0x00b7, 'contexto'], // MIDDLE DOT
  [0x0375, 'contexto'], // GREEK LOWER NUMERAL SIGN
  [0x05f3, 'contexto'], // HEBREW PUNCTUATION GERESH
  [0x05f4, 'contexto'], // HEBREW PUNCTUATION GERSHAYIM
  [0x30fb, 'contexto'], // KATAKANA MIDDLE DOT
  [0x0640, 'disallowed'],
  [0x07fa, 'disallowed'],
  [0x302e, 'disallowed'],
  [0x302f, 'disallowed'],
  [0x3031, 'disallowed'],
  [0x3032, 'disallowed'],
  [0x3033, 'disallowed'],
  [0x3034, 'disallowed'],
  [0x3035, 'disallowed'],
  [0x303b, 'disallowed'],
]);

/** RFC 5892 §2.10 Unassigned: Cn except noncharacters (those are PrecisIgnorableProperties). */
const UNASSIGNED = /^(?!\p{Noncharacter_Code_Point})\p{Cn}$/u;
const CONTROL = /^\p{Cc}$/u;
/** RFC 8264 §9.13 PrecisIgnorableProperties. */
const IGNORABLE = /^[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]$/u;
/** RFC 5892 §2.1 LetterDigits. */
const LETTER_DIGITS = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]$/u;
/** RFC 8264 §9.14-§9.16 and §9.18: Spaces, Symbols, Punctuation, OtherLetterDigits. */
const FREEFORM_ONLY = /^[\p{Zs}\p{S}\p{P}\p{Lt}\p{Nl}\p{No}\p{Me}]$/u;

/** RFC 5892 §2.9 OldHangulJamo (Hangul_Syllable_Type L, V or T), by block. */
function isOldHangulJamo(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xd7b0 && cp <= 0xd7ff);
}

const DISPOSITIONS: readonly Disposition[] = ['valid', 'contextj', 'contexto', 'disallowed', 'unassigned'];

/**
 * Memo of derive(), one byte per code point and class (index in DISPOSITIONS + 1, 0 = not yet
 * derived): a fixed 1.1 MB each, allocated on first use, so hostile input cannot grow it.
 * Deriving costs several regex tests and an NFKC per code point; the memo makes non-ASCII
 * addresses cheap after the first sighting of their characters.
 */
const memo: Record<StringClass, Uint8Array | undefined> = { identifier: undefined, freeform: undefined };

/** The derived property of RFC 8264 §8 for `cp` in `cls`. */
export function disposition(cp: number, cls: StringClass): Disposition {
  const table = (memo[cls] ??= new Uint8Array(0x110000));
  const known = table[cp]!;
  if (known !== 0) return DISPOSITIONS[known - 1]!;
  const d = derive(cp, cls);
  table[cp] = DISPOSITIONS.indexOf(d) + 1;
  return d;
}

/** RFC 8264 §8's algorithm, in the order that section requires. */
function derive(cp: number, cls: StringClass): Disposition {
  const exception = EXCEPTIONS.get(cp);
  if (exception !== undefined) return exception;
  if ((cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x06f0 && cp <= 0x06f9)) return 'contexto'; // also exceptions
  // BackwardCompatible (RFC 5892 §2.7) is empty.
  const ch = String.fromCodePoint(cp);
  if (UNASSIGNED.test(ch)) return 'unassigned';
  if (cp >= 0x21 && cp <= 0x7e) return 'valid'; // ASCII7
  if (cp === 0x200c || cp === 0x200d) return 'contextj';
  if (isOldHangulJamo(cp) || IGNORABLE.test(ch) || CONTROL.test(ch)) return 'disallowed';
  const freeOnly: Disposition = cls === 'freeform' ? 'valid' : 'disallowed';
  if (ch.normalize('NFKC') !== ch) return freeOnly; // HasCompat
  if (LETTER_DIGITS.test(ch)) return 'valid';
  if (FREEFORM_ONLY.test(ch)) return freeOnly;
  return 'disallowed'; // Zl, Zp, Cf, Co, Cs
}

const CCC_8 = '\u3099'; // a mark of canonical combining class 8
const CCC_10 = '\u05b0'; // a mark of canonical combining class 10

/**
 * Canonical_Combining_Class(cp) == Virama (9), read from the engine's normalizer: canonical
 * reordering (NFD) moves a mark of class 9 after one of class 8 and before one of class 10,
 * and nothing else does both. Saves carrying a table.
 */
export function isVirama(cp: number): boolean {
  const x = String.fromCodePoint(cp);
  if (x === CCC_8 || x === CCC_10 || x.normalize('NFD') !== x) return false;
  return `a${x}${CCC_8}`.normalize('NFD') === `a${CCC_8}${x}` && `a${CCC_10}${x}`.normalize('NFD') === `a${x}${CCC_10}`;
}

const TRANSPARENT = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const LETTER = /^\p{L}$/u;
/** The scripts with cursively joining letters, the only home of Joining_Type D, L and R letters. */
const JOINING_SCRIPTS = [
  ...['Arabic', 'Syriac', 'Nko', 'Mongolian', 'Mandaic', 'Phags_Pa', 'Manichaean', 'Psalter_Pahlavi'],
  ...['Adlam', 'Hanifi_Rohingya', 'Sogdian', 'Old_Uyghur', 'Chorasmian'],
];
const JOINING_SCRIPT = new RegExp(`^[${JOINING_SCRIPTS.map((name) => `\\p{Script=${name}}`).join('')}]$`, 'u');
const GREEK = /^\p{Script=Greek}$/u;
const HEBREW = /^\p{Script=Hebrew}$/u;
const KANA_HAN = /^[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]$/u;

/** Nearest code point from `i` in direction `step` that is not Joining_Type T (approximated). */
function joiningNeighbour(cps: readonly number[], i: number, step: 1 | -1): number | undefined {
  for (let j = i + step; j >= 0 && j < cps.length; j += step) {
    const ch = String.fromCodePoint(cps[j]!);
    if (!TRANSPARENT.test(ch)) return cps[j];
  }
  return undefined;
}

function isJoiningLetter(cp: number | undefined): boolean {
  if (cp === undefined) return false;
  const ch = String.fromCodePoint(cp);
  return LETTER.test(ch) && JOINING_SCRIPT.test(ch);
}

const is = (cp: number | undefined, re: RegExp): boolean => cp !== undefined && re.test(String.fromCodePoint(cp));

/**
 * The CONTEXTJ and CONTEXTO rules of RFC 5892 Appendix A for the code point at cps[i].
 * The ZERO WIDTH NON-JOINER joining-type rule (A.1) is approximated: JS exposes no Joining_Type,
 * so "a letter of a cursive-joining script on each side, marks skipped" stands in for
 * "(Joining_Type L or D) T* ZWNJ T* (Joining_Type R or D)".
 */
export function contextRuleHolds(cps: readonly number[], i: number): boolean {
  const cp = cps[i]!;
  const before = cps[i - 1];
  const after = cps[i + 1];
  if (cp === 0x200d) return before !== undefined && isVirama(before); // A.2
  if (cp === 0x200c) {
    // A.1
    if (before !== undefined && isVirama(before)) return true;
    return isJoiningLetter(joiningNeighbour(cps, i, -1)) && isJoiningLetter(joiningNeighbour(cps, i, 1));
  }
  if (cp === 0x00b7) return before === 0x6c && after === 0x6c; // A.3: only in Catalan "l·l"
  if (cp === 0x0375) return is(after, GREEK); // A.4
  if (cp === 0x05f3 || cp === 0x05f4) return is(before, HEBREW); // A.5, A.6
  if (cp === 0x30fb) return cps.some((c) => c !== 0x30fb && is(c, KANA_HAN)); // A.7
  if (cp >= 0x0660 && cp <= 0x0669) return !cps.some((c) => c >= 0x06f0 && c <= 0x06f9); // A.8
  if (cp >= 0x06f0 && cp <= 0x06f9) return !cps.some((c) => c >= 0x0660 && c <= 0x0669); // A.9
  return false; // a contextual code point without a rule is invalid (RFC 8264 §8)
}

/**
 * Throws unless every code point of `s` is allowed in `cls`. With `contextual`, contextual code
 * points must also satisfy their rule; preparation checks skip that because the rules apply to
 * the enforced string (RFC 8264 §7, step 6).
 */
export function checkCodePoints(s: string, cls: StringClass, part: JidPart, contextual: boolean): number[] {
  const cps = Array.from(s, (ch) => ch.codePointAt(0)!);
  cps.forEach((cp, i) => {
    const d = disposition(cp, cls);
    if (d === 'valid') return;
    if (d === 'unassigned') throw new JidError(part, `unassigned code point ${codePointName(cp)}`);
    if (d === 'disallowed') throw new JidError(part, `disallowed code point ${codePointName(cp)}`);
    if (contextual && !contextRuleHolds(cps, i)) {
      throw new JidError(part, `code point ${codePointName(cp)} is not allowed in this context`);
    }
  });
  return cps;
}

/**
 * Width Mapping Rule (RFC 8264 §5.2.1): fullwidth and halfwidth code points (decomposition type
 * <wide> or <narrow>: U+3000 and U+FF01..U+FFEE) become their decomposition mapping. NFKC gives
 * that mapping except where the target itself has a compatibility decomposition: halfwidth
 * Hangul (to compatibility jamo) and FULLWIDTH MACRON.
 */
export function mapWidth(s: string): string {
  if (!/[\u3000\uff01-\uffee]/.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp !== 0x3000 && (cp < 0xff01 || cp > 0xffee)) out += ch;
    else if (cp >= 0xffa0 && cp <= 0xffdc) out += halfwidthHangul(cp);
    else if (cp === 0xffe3) out += '\u00af';
    else out += ch.normalize('NFKC');
  }
  return out;
}

/** Starts of the four runs of halfwidth Hangul vowels; the block has holes between them. */
const HALFWIDTH_VOWEL_RUNS = [0xffc2, 0xffca, 0xffd2, 0xffda];

/** U+FFA0..U+FFDC to U+3164 and U+3131..U+3163 (Hangul compatibility jamo). */
function halfwidthHangul(cp: number): string {
  if (cp === 0xffa0) return '\u3164';
  if (cp <= 0xffbe) return String.fromCodePoint(cp - 0xffa1 + 0x3131);
  const run = HALFWIDTH_VOWEL_RUNS.findIndex((start) => cp >= start && cp < start + 6);
  if (run < 0) return String.fromCodePoint(cp); // a hole: unassigned, rejected later
  return String.fromCodePoint(0x314f + run * 6 + (cp - HALFWIDTH_VOWEL_RUNS[run]!));
}

/**
 * RFC 8264 §7: the rules are not always idempotent, so reapply them until the output is
 * stable, rejecting a string that still changes after three reapplications.
 */
export function stabilize(s: string, rules: (x: string) => string, part: JidPart): string {
  let out = rules(s);
  for (let i = 0; i < 3; i++) {
    const next = rules(out);
    if (next === out) return out;
    out = next;
  }
  throw new JidError(part, 'does not stabilize under the PRECIS rules');
}

/** Empty and overlong checks, on the enforced string (RFC 7622 §3.2.1, §3.3.1, §3.4.1). */
export function checkSize(s: string, part: JidPart, ascii: boolean): string {
  if (s.length === 0) throw new JidError(part, 'must not be empty');
  const octets = ascii ? s.length : Buffer.byteLength(s, 'utf8');
  if (octets > MAX_PART_OCTETS) throw new JidError(part, `is ${octets} octets; at most ${MAX_PART_OCTETS} are allowed`);
  return s;
}

/** Fails fast on input too long to ever be valid; see MAX_RAW_UNITS. */
export function checkRawSize(s: string, part: JidPart): void {
  if (s.length > MAX_RAW_UNITS) throw new JidError(part, `is longer than ${MAX_PART_OCTETS} octets`);
}
