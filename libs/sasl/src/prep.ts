import { PasswordError } from './errors';

/**
 * Password preparation with the PRECIS OpaqueString profile (RFC 8265 §4.2), which replaces
 * SASLprep (RFC 4013) for XMPP. The same function runs when a password is stored and when a
 * PLAIN password is checked, so both sides hash identical bytes; SCRAM clients prepare on their
 * side. Rules, in the order of RFC 8264 §7 and RFC 8265 §4.2.2:
 *   1. width mapping: none; 2. additional mapping: non-ASCII spaces to U+0020; 3. case: none;
 *   4. normalization: NFC; 5. directionality: none;
 * then every code point must be allowed by the FreeformClass (RFC 8264 §4.3, derived as in §8)
 * and the result must not be empty.
 */

// RFC 8264 §9.14: "non-ASCII space" is any Zs code point other than U+0020.
const NON_ASCII_SPACE = /(?!\u0020)\p{Zs}/gu;

// RFC 5892 §2.6 exceptions, which RFC 8264 §8 applies before every other rule.
const EXCEPTION_PVALID = new Set([0x00df, 0x03c2, 0x06fd, 0x06fe, 0x0f0b, 0x3007]);
const EXCEPTION_DISALLOWED = new Set([0x0640, 0x07fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b]);

const UNASSIGNED = /^\p{Cn}$/u;
const IGNORABLE = /^[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]$/u;
const CONTROL = /^\p{Cc}$/u;
const SURROGATE_OR_PRIVATE = /^[\p{Cs}\p{Co}]$/u;
// LetterDigits, OtherLetterDigits, Spaces, Symbols, Punctuation (RFC 8264 §9.1, §9.2, §9.14-16).
const FREEFORM = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u;
const GREEK = /^\p{Script=Greek}$/u;
const HEBREW = /^\p{Script=Hebrew}$/u;
const KANA_HAN = /^[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]$/u;
const LETTER_OR_MARK = /^[\p{L}\p{M}]$/u;

const inRange = (cp: number, lo: number, hi: number): boolean => cp >= lo && cp <= hi;
const ARABIC_INDIC = (cp: number): boolean => inRange(cp, 0x0660, 0x0669);
const EXT_ARABIC_INDIC = (cp: number): boolean => inRange(cp, 0x06f0, 0x06f9);

/** RFC 5892 OldHangulJamo: Hangul_Syllable_Type L, V or T (no regex property for it). */
function isOldHangulJamo(cp: number): boolean {
  return inRange(cp, 0x1100, 0x11ff) || inRange(cp, 0xa960, 0xa97c) || inRange(cp, 0xd7b0, 0xd7c6) || inRange(cp, 0xd7cb, 0xd7fb);
}

/** CONTEXTO rules of RFC 5892 Appendix A.3-A.9; undefined when `cp` has none. */
function contextO(cps: readonly string[], i: number, cp: number): boolean | undefined {
  const before = cps[i - 1];
  const after = cps[i + 1];
  if (cp === 0x00b7) return before === 'l' && after === 'l';
  if (cp === 0x0375) return after !== undefined && GREEK.test(after);
  if (cp === 0x05f3 || cp === 0x05f4) return before !== undefined && HEBREW.test(before);
  if (cp === 0x30fb) return cps.some((c) => KANA_HAN.test(c));
  if (ARABIC_INDIC(cp)) return !cps.some((c) => EXT_ARABIC_INDIC(c.codePointAt(0)!));
  if (EXT_ARABIC_INDIC(cp)) return !cps.some((c) => ARABIC_INDIC(c.codePointAt(0)!));
  return undefined;
}

/**
 * Why code point `i` is not allowed, or undefined if it is. Follows the derivation order of
 * RFC 8264 §8, which matters: e.g. ZWJ is a join control before it is default-ignorable.
 */
function rejection(cps: readonly string[], i: number): string | undefined {
  const ch = cps[i]!;
  const cp = ch.codePointAt(0)!;
  if (EXCEPTION_PVALID.has(cp)) return undefined;
  if (EXCEPTION_DISALLOWED.has(cp)) return 'a disallowed code point';
  const ctx = contextO(cps, i, cp);
  if (ctx !== undefined) return ctx ? undefined : 'a code point not allowed in this context (RFC 5892 Appendix A)';
  if (UNASSIGNED.test(ch) && !IGNORABLE.test(ch)) return 'an unassigned code point';
  if (inRange(cp, 0x21, 0x7e)) return undefined;
  // CONTEXTJ (RFC 5892 A.1/A.2) needs Canonical_Combining_Class=Virama or Joining_Type, which
  // JavaScript does not expose. Approximation, a superset of both rules: the joiner must follow
  // a letter or a combining mark (viramas are marks; joining letters are letters). This keeps
  // Persian and Indic passwords usable while rejecting a joiner at the start or after ASCII.
  if (cp === 0x200c || cp === 0x200d) {
    const before = cps[i - 1];
    return before !== undefined && LETTER_OR_MARK.test(before) ? undefined : 'a join control not allowed in this context';
  }
  if (isOldHangulJamo(cp)) return 'an old Hangul jamo';
  if (IGNORABLE.test(ch)) return 'a default-ignorable or noncharacter code point';
  if (CONTROL.test(ch)) return 'a control character';
  // Not a FreeformClass rule: lone surrogates and private use fall to "otherwise DISALLOWED", but
  // are rejected before the HasCompat test so that an engine mapping them under NFKC cannot pass.
  if (SURROGATE_OR_PRIVATE.test(ch)) return 'a surrogate or private-use code point';
  if (ch.normalize('NFKC') !== ch) return undefined; // HasCompat (§9.17): allowed in FreeformClass
  if (FREEFORM.test(ch)) return undefined;
  return 'a disallowed code point';
}

/**
 * Prepares a password with RFC 8265 OpaqueString. Throws PasswordError when the result is empty
 * or contains a code point the profile disallows (controls, unassigned, default-ignorable such as
 * U+00AD or U+FE0F, line/paragraph separators, private use...). The message names the kind of
 * code point, never the password.
 */
export function preparePassword(password: string): string {
  const prepared = password.replace(NON_ASCII_SPACE, ' ').normalize('NFC');
  if (prepared.length === 0) throw new PasswordError('empty', 'password is empty');
  const cps = Array.from(prepared);
  for (let i = 0; i < cps.length; i++) {
    const why = rejection(cps, i);
    if (why !== undefined) throw new PasswordError('disallowed-code-point', `password contains ${why}`);
  }
  return prepared;
}
