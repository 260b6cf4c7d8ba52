/**
 * One complete element from one buffer, with the stream parser's restrictions: the RFC 7395
 * WebSocket binding, where every message is a standalone document holding a single element
 * (<open/>, a stanza, <close/>).
 */
import { TextDecoder } from 'node:util';
import type { Element } from './element';
import { XmlStreamError } from './errors';
import { resolveLimits, type ParserLimits } from './limits';
import { createSax, TreeBuilder } from './sax';

/** Lone surrogates: a JS string can hold them, UTF-8 (and so XML) cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

let utf8: TextDecoder | undefined;

function decode(input: Uint8Array): string {
  // Created on first use, not at import. A non-streaming decode keeps no state between calls.
  utf8 ??= new TextDecoder('utf-8', { fatal: true });
  try {
    return utf8.decode(input);
  } catch {
    throw new XmlStreamError('unsupported-encoding', 'invalid UTF-8');
  }
}

/**
 * Parses exactly one element; surrounding whitespace and a leading <?xml version='1.0'?> are
 * allowed. `defaultNs` is the namespace of unprefixed elements that declare none (jabber:client
 * for stanzas of a client that relies on it). Throws XmlStreamError.
 */
export function parseElement(input: string | Uint8Array, limits?: Partial<ParserLimits>, defaultNs?: string): Element {
  const { maxStanzaBytes, maxDepth } = resolveLimits(limits);
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxStanzaBytes) throw new XmlStreamError('policy-violation', `element larger than ${maxStanzaBytes} bytes`);
  if (typeof input === 'string' && LONE_SURROGATE.test(input)) {
    throw new XmlStreamError('not-well-formed', 'unpaired surrogate');
  }
  const text = typeof input === 'string' ? input : decode(input);

  const tree = new TreeBuilder();
  let depth = 0;
  let root: Element | undefined;
  const sax = createSax({
    opentagstart: () => {
      if (depth >= maxDepth) throw new XmlStreamError('policy-violation', `elements nested deeper than ${maxDepth}`);
    },
    opentag: (tag) => {
      depth++;
      tree.open(tag);
    },
    closetag: () => {
      const e = tree.close();
      if (--depth === 0) root = e;
    },
    // Text outside the root is whitespace (saxes refuses anything else); the builder ignores it.
    text: (t) => tree.text(t),
  }, defaultNs);
  try {
    sax.write(text).close();
  } catch (err) {
    if (err instanceof XmlStreamError) throw err;
    throw new XmlStreamError('not-well-formed', String(err));
  }
  if (root === undefined) throw new XmlStreamError('not-well-formed', 'no element');
  return root;
}
