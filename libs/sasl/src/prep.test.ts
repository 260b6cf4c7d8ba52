import { PasswordError, preparePassword } from './index';

describe('preparePassword (RFC 8265 OpaqueString)', () => {
  it.each([
    ['pencil', 'pencil'],
    ['correct horse', 'correct horse'],
    ['a\u00a0b\u3000c\u2003d', 'a b c d'], // non-ASCII spaces map to U+0020
    ['e\u0301t\u0065\u0301', '\u00e9t\u00e9'], // NFC
    ['\uff21\uff22', '\uff21\uff22'], // no width mapping: fullwidth stays (HasCompat is allowed)
    ['Pässwörd', 'Pässwörd'], // no case mapping
    ['l\u00b7l', 'l\u00b7l'], // middle dot between two l (RFC 5892 A.3)
    ['\u0628\u200c\u0628', '\u0628\u200c\u0628'], // ZWNJ after a joining letter (A.1)
    ['\u0915\u094d\u200d', '\u0915\u094d\u200d'], // ZWJ after a virama (A.2)
    ['\u30a2\u30fb\u30a4', '\u30a2\u30fb\u30a4'], // katakana middle dot with katakana (A.7)
    ['\u00df\u03c2', '\u00df\u03c2'], // exceptions that are PVALID
    ['p\u{1f511}ss', 'p\u{1f511}ss'], // symbols (So)
  ])('%j -> %j', (input, output) => {
    expect(preparePassword(input)).toBe(output);
    expect(preparePassword(output)).toBe(output); // idempotent
  });

  it.each([
    ['', 'empty'],
    ['pass\u0007', 'disallowed-code-point'], // control
    ['pass\tword', 'disallowed-code-point'], // control
    ['pass\u00adword', 'disallowed-code-point'], // soft hyphen: default-ignorable
    ['x\u200b', 'disallowed-code-point'], // zero-width space: default-ignorable
    ['A\ufe0f', 'disallowed-code-point'], // variation selector: default-ignorable
    ['\u200cx', 'disallowed-code-point'], // joiner with nothing to join
    ['a\u200db', 'disallowed-code-point'], // ZWJ not after a virama (RFC 5892 A.2)
    ['a\u00b7b', 'disallowed-code-point'], // middle dot out of context
    ['\u0661\u06f1', 'disallowed-code-point'], // mixed Arabic-Indic digit sets (A.8/A.9)
    ['\u0640', 'disallowed-code-point'], // tatweel: RFC 5892 exception
    ['\u1100', 'disallowed-code-point'], // old Hangul jamo
    ['a\u2028b', 'disallowed-code-point'], // line separator (Zl)
    ['\ue000', 'disallowed-code-point'], // private use
    ['\ud800', 'disallowed-code-point'], // lone surrogate
    ['\u0378', 'disallowed-code-point'], // unassigned
    ['\ufdd0', 'disallowed-code-point'], // noncharacter
  ])('%j is rejected (%s)', (input, problem) => {
    let err: unknown;
    try {
      preparePassword(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PasswordError);
    expect((err as PasswordError).problem).toBe(problem);
    expect((err as PasswordError).code).toBe('PASSWORD_INVALID');
    if (input !== '') expect((err as PasswordError).message).not.toContain(input);
  });
});
