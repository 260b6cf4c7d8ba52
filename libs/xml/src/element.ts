/**
 * A small DOM for stanzas.
 *
 * Names are local names; the namespace lives in attrs.xmlns. Parsed elements always carry their
 * resolved namespace there, while built elements may leave it out to inherit the parent's, which
 * is how serialization treats it: `xmlns` is written only where it differs from the parent's.
 */
import { assertAttrName, assertElementName, escapeAttr, escapeText } from './escape';

export type Node = Element | string;
export type AttrInput = Record<string, string | number | undefined>;

export class Element {
  constructor(public name: string, public attrs: Record<string, string> = {}, public children: Node[] = []) {}

  get xmlns(): string | undefined {
    return this.attrs['xmlns'];
  }

  /**
   * First direct child with this local name and, if given, this namespace. A child without
   * its own xmlns is in this element's namespace, as it would be once serialized.
   */
  getChild(name: string, xmlns?: string): Element | undefined {
    for (const c of this.children) if (typeof c !== 'string' && this.matches(c, name, xmlns)) return c;
    return undefined;
  }

  getChildren(name: string, xmlns?: string): Element[] {
    return this.children.filter((c): c is Element => typeof c !== 'string' && this.matches(c, name, xmlns));
  }

  getChildText(name: string, xmlns?: string): string | undefined {
    return this.getChild(name, xmlns)?.text();
  }

  /** Element children only. */
  elements(): Element[] {
    return this.children.filter((c): c is Element => typeof c !== 'string');
  }

  /** Concatenated direct text children. */
  text(): string {
    let s = '';
    for (const c of this.children) if (typeof c === 'string') s += c;
    return s;
  }

  append(...nodes: Node[]): this {
    this.children.push(...nodes);
    return this;
  }

  /** Appends a new child and returns the child, for building nested payloads. */
  c(name: string, attrs?: AttrInput): Element {
    const child = el(name, attrs);
    this.children.push(child);
    return child;
  }

  remove(child: Element): this {
    this.children = this.children.filter((c) => c !== child);
    return this;
  }

  /** Deep copy. */
  clone(): Element {
    return new Element(this.name, { ...this.attrs }, this.children.map((c) => (typeof c === 'string' ? c : c.clone())));
  }

  /** Serialized as a root: xmlns is written if the element has one. */
  toString(): string {
    return serialize(this);
  }

  private matches(c: Element, name: string, xmlns: string | undefined): boolean {
    return c.name === name && (xmlns === undefined || (c.attrs['xmlns'] ?? this.attrs['xmlns']) === xmlns);
  }
}

/**
 * An element kept as the XML it arrived as: written out unchanged, never parsed (a catch-up
 * passes thousands of archived results through). It shows its root's name and namespace and no
 * children: code that must look inside parses `xml`. Made by `verbatim()`.
 */
export class Verbatim extends Element {
  constructor(name: string, xmlns: string, readonly xml: string) {
    super(name, { xmlns }, []);
  }

  override clone(): Verbatim {
    return new Verbatim(this.name, this.attrs['xmlns']!, this.xml);
  }
}

/**
 * The element in `xml` as a Verbatim when `xml` starts the way `serialize` writes a root with a
 * namespace, else parsed by `parse` (whose limits then apply).
 */
export function verbatim(xml: string, parse: (xml: string) => Element): Element {
  const m = SERIALIZED_ROOT.exec(xml);
  return m ? new Verbatim(m[1]!, m[2]!, xml) : parse(xml);
}

/** A Verbatim inside a parent of its own namespace drops the declaration it then repeats. */
function writeVerbatim(v: Verbatim, parentNs: string | undefined): string {
  const declared = `<${v.name} xmlns='${v.attrs['xmlns']}'`;
  return parentNs === v.attrs['xmlns'] && v.xml.startsWith(declared) ? `<${v.name}${v.xml.slice(declared.length)}` : v.xml;
}

/**
 * Sets an attribute as an own property even for "__proto__", which a plain assignment would
 * swallow (or, with an object value, turn into a prototype change).
 */
export function setAttr(attrs: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(attrs, name, { value, enumerable: true, writable: true, configurable: true });
  else attrs[name] = value;
}

/** Builder: undefined attributes and falsy children are skipped, numbers become strings. */
export function el(name: string, attrs?: AttrInput, ...children: (Node | undefined | false)[]): Element {
  const a: Record<string, string> = {};
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== undefined) setAttr(a, k, String(v));
  const kids: Node[] = [];
  for (const c of children) if (c) kids.push(c);
  return new Element(name, a, kids);
}

/**
 * Serializes a node whose parent is in namespace `parentXmlns` (undefined: no parent, as a root).
 * Throws XmlSerializeError on invalid names or characters XML 1.0 cannot carry.
 */
export function serialize(node: Node, parentXmlns?: string): string {
  return typeof node === 'string' ? escapeText(node) : write(node, parentXmlns);
}

/** Serialize's own start of a root: its name, then its namespace as the first attribute. */
const SERIALIZED_ROOT = /^<([^\s/>]+) xmlns='([^'&<]*)'/;

function write(e: Element, parentNs: string | undefined): string {
  if (e instanceof Verbatim) return writeVerbatim(e, parentNs);
  assertElementName(e.name);
  let s = `<${e.name}`;
  const ns = e.attrs['xmlns'];
  // No parent and the empty namespace are the same thing: nothing to declare.
  if (ns !== undefined && ns !== (parentNs ?? '')) s += ` xmlns='${escapeAttr(ns)}'`;
  for (const k of Object.keys(e.attrs)) {
    const v = e.attrs[k];
    if (k === 'xmlns' || v === undefined) continue;
    assertAttrName(k);
    s += ` ${k}='${escapeAttr(v)}'`;
  }
  if (e.children.length === 0) return `${s}/>`;
  s += '>';
  const inner = ns ?? parentNs;
  for (const c of e.children) s += typeof c === 'string' ? escapeText(c) : write(c, inner);
  return `${s}</${e.name}>`;
}
