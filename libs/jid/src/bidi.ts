/**
 * The "Bidi Rule" of RFC 5893 §2, which UsernameCaseMapped (RFC 8265 §3.3.1) applies to
 * localparts holding right-to-left code points, and IDNA2008 to every label of a domain name
 * holding one.
 *
 * JS regexes expose no Bidi_Class, so it is approximated from general category and block,
 * which is exact enough for the strings that reach here (letters, digits, marks and ASCII, the
 * only things IdentifierClass and U-labels allow):
 *   R   everything else in the right-to-left blocks (Hebrew to Arabic Extended-A, the
 *       presentation forms, U+10800..U+10FFF, U+1E800..U+1EFFF)
 *   AN  Arabic-Indic and Hanifi Rohingya digits; EN  ASCII and extended Arabic-Indic digits
 *   NSM non-spacing and enclosing marks; L  every other letter, digit or spacing mark
 *   ON  the rest (ASCII punctuation and the like: ES, CS, ET, ON for the rule's purposes)
 */
type Bidi = 'R' | 'AN' | 'EN' | 'NSM' | 'L' | 'ON';

const NSM = /^[\p{Mn}\p{Me}]$/u;
const STRONG = /^[\p{L}\p{N}\p{Mc}]$/u;

function isRtlBlock(cp: number): boolean {
  return (
    (cp >= 0x0590 && cp <= 0x08ff) ||
    (cp >= 0xfb1d && cp <= 0xfdff) ||
    (cp >= 0xfe70 && cp <= 0xfeff) ||
    (cp >= 0x10800 && cp <= 0x10fff) ||
    (cp >= 0x1e800 && cp <= 0x1efff)
  );
}

function bidiClass(cp: number): Bidi {
  if (cp >= 0x30 && cp <= 0x39) return 'EN';
  if (cp < 0x80) return /[a-zA-Z]/.test(String.fromCharCode(cp)) ? 'L' : 'ON';
  if (cp >= 0x06f0 && cp <= 0x06f9) return 'EN';
  if ((cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x10d30 && cp <= 0x10d39)) return 'AN';
  const ch = String.fromCodePoint(cp);
  if (NSM.test(ch)) return 'NSM';
  if (isRtlBlock(cp)) return 'R'; // letters, and the geresh and gershayim allowed in context
  return STRONG.test(ch) ? 'L' : 'ON';
}

/** True when the string holds a right-to-left code point, i.e. the Bidi Rule applies. */
export function hasRtl(cps: readonly number[]): boolean {
  return cps.some((cp) => isRtlBlock(cp) && bidiClass(cp) === 'R');
}

/** Why `cps` breaks the Bidi Rule (conditions 1-6 of RFC 5893 §2), or undefined if it does not. */
export function bidiProblem(cps: readonly number[]): string | undefined {
  const classes = cps.map(bidiClass);
  const first = classes[0];
  let last = classes.length - 1;
  while (last > 0 && classes[last] === 'NSM') last--;
  const end = classes[last];
  if (first === 'R') {
    if (classes.includes('L')) return 'mixes left-to-right letters into a right-to-left string'; // 2
    if (end !== 'R' && end !== 'EN' && end !== 'AN') return 'a right-to-left string must end in a letter or digit'; // 3
    if (classes.includes('EN') && classes.includes('AN')) return 'mixes European and Arabic-Indic digits'; // 4
    return undefined;
  }
  if (first === 'L') {
    if (classes.includes('R') || classes.includes('AN')) {
      return 'mixes right-to-left characters into a left-to-right string'; // 5
    }
    if (end !== 'L' && end !== 'EN') return 'a left-to-right string must end in a letter or digit'; // 6
    return undefined;
  }
  return 'must start with a letter, as the Bidi Rule requires once right-to-left characters are present'; // 1
}
