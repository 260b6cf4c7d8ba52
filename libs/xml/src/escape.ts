/**
 * Escaping and name checks for serialization.
 *
 * Attribute values also escape tab, newline and carriage return as character references: a parser
 * normalizes literal whitespace in attribute values to spaces (XML 1.0 §3.3.3), so only the
 * references round-trip. Text escapes carriage return for the same reason (§2.11 turns a literal
 * CR into LF). Both quote characters are escaped so callers may use either quote.
 */
import { XmlSerializeError } from './errors';

/** Anything outside the XML 1.0 Char production (§2.2), lone surrogates included. */
const NOT_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"'\t\n\r]/g;
const ESCAPES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;',
};
const escapeChar = (c: string): string => ESCAPES[c]!;

// XML 1.0 §2.3 NameStartChar / NameChar, without the colon (Namespaces in XML: NCName).
const START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NCNAME = `[${START}][${START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040]*`;
const NCNAME_RE = new RegExp(`^${NCNAME}$`, 'u');
const QNAME_RE = new RegExp(`^(?:${NCNAME}:)?${NCNAME}$`, 'u');

function assertChars(s: string): void {
  const bad = NOT_CHAR.exec(s);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new XmlSerializeError(`U+${code} is not allowed in XML 1.0`);
  }
}

/** Escapes character data; throws XmlSerializeError on characters XML 1.0 forbids. */
export function escapeText(s: string): string {
  assertChars(s);
  return s.replace(TEXT_SPECIAL, escapeChar);
}

/** Escapes an attribute value for either quote style; throws XmlSerializeError on forbidden characters. */
export function escapeAttr(s: string): string {
  assertChars(s);
  return s.replace(ATTR_SPECIAL, escapeChar);
}

/** Element names are local names: a prefix would have to be declared somewhere we cannot see. */
export function assertElementName(name: string): void {
  if (!NCNAME_RE.test(name)) throw new XmlSerializeError(`invalid element name ${JSON.stringify(name)}`);
}

/** Attribute names may be prefixed (xml:lang, xmlns:foo). */
export function assertAttrName(name: string): void {
  if (!QNAME_RE.test(name)) throw new XmlSerializeError(`invalid attribute name ${JSON.stringify(name)}`);
}
