/**
 * Streaming parser for one RFC 6120 XML stream: bytes in, stream header, stanzas and close out.
 *
 * Handlers are never called from inside saxes: events of a piece of input are queued and
 * delivered once saxes has returned. That lets a handler call reset() (STARTTLS, SASL success),
 * and it lets a stanza whose end tag turns out to be mismatched be dropped before anyone sees it.
 *
 * The stanza size budget counts the bytes of the current top-level unit (stream header, or
 * everything since the previous stanza ended) after every piece of at most PIECE characters, so
 * an oversized stanza, comment or DTD is refused while it is still arriving, never after it has
 * been buffered whole.
 */
import { TextDecoder } from 'node:util';
import type { SaxesTagNS } from 'saxes';
import { setAttr, type Element } from './element';
import { XmlStreamError } from './errors';
import { UnitBudget } from './budget';
import { resolveLimits, type ParserLimits } from './limits';
import { createSax, NS_STREAMS, TreeBuilder, UNEXPECTED_CLOSE, type Sax, type SaxEvents } from './sax';

export interface StreamHandlers {
  /** `<stream:stream>`: attrs by qualified name (to, from, version, xml:lang, id), plus the content namespace as attrs.xmlns. */
  streamOpen(attrs: Record<string, string>, name: string, xmlns: string): void;
  /** Each complete depth-1 element, attrs.xmlns being its resolved namespace. */
  stanza(el: Element): void;
  /** `</stream:stream>`. */
  streamClose(): void;
  /** The first error only; input is then ignored until reset(). */
  error(err: XmlStreamError): void;
}

/** Upper bound on the characters handed to saxes between two budget checks. */
const PIECE = 16_384;
const WS_ONLY = /^[ \t\r\n]*$/;
const LEADING_WS = /^[ \t\r\n]+/;

type Queued =
  | { kind: 'open'; attrs: Record<string, string>; name: string; xmlns: string }
  | { kind: 'stanza'; el: Element }
  | { kind: 'close' };

export class XmppStreamParser {
  private readonly limits: ParserLimits;
  private sax!: Sax;
  private decoder!: TextDecoder;
  private tree!: TreeBuilder;
  /** Bumped by reset(), so a write in progress notices that its stream is gone. */
  private gen = 0;
  private busy = false;
  /** Open elements, the stream root included. */
  private depth = 0;
  private failed = false;
  private failure: XmlStreamError | undefined;
  private queue: Queued[] = [];
  private closeQueued = false;
  private budget!: UnitBudget;
  /** Between stanzas with only whitespace since the last one: keepalives need not reach saxes. */
  private idle = false;

  /** Created once per parser and reused by every saxes instance after reset(). */
  private readonly events: SaxEvents = {
    opentagstart: () => {
      // Checked before attributes are read; this.depth is the new element's depth below the root.
      if (this.depth > this.limits.maxDepth) {
        throw new XmlStreamError('policy-violation', `elements nested deeper than ${this.limits.maxDepth}`);
      }
    },
    opentag: (tag) => {
      if (this.depth++ === 0) this.openStream(tag);
      else this.tree.open(tag);
    },
    closetag: () => {
      this.closeQueued = false;
      const depth = --this.depth;
      if (depth === 0) {
        this.queue.push({ kind: 'close' });
        this.closeQueued = true;
        return;
      }
      const el = this.tree.close();
      if (depth > 1) return;
      this.budget.end(this.sax.position);
      this.queue.push({ kind: 'stanza', el });
      this.closeQueued = true;
    },
    text: (text) => {
      if (this.depth > 1) this.tree.text(text);
      // Whitespace between stanzas is a keepalive; anything else there is no stanza at all.
      else if (this.depth === 1 && !WS_ONLY.test(text)) throw new XmlStreamError('bad-format', 'text between stanzas');
    },
  };

  constructor(private readonly handlers: StreamHandlers, limits?: Partial<ParserLimits>) {
    this.limits = resolveLimits(limits);
    this.reset();
  }

  /**
   * Starts a new stream (RFC 6120 §5.4.3.3, §6.4.6). Called from a handler, it also discards the
   * rest of the input being written: bytes that arrived before a STARTTLS upgrade must never be
   * read as part of the new stream.
   */
  reset(): void {
    this.gen++;
    this.busy = false;
    this.sax = createSax(this.events);
    this.decoder = new TextDecoder('utf-8', { fatal: true });
    this.tree = new TreeBuilder();
    this.depth = 0;
    this.failed = false;
    this.failure = undefined;
    this.queue = [];
    this.budget = new UnitBudget(this.limits.maxStanzaBytes);
    this.idle = false;
  }

  write(chunk: Buffer | Uint8Array): void {
    if (this.failed) return;
    if (this.busy) throw new Error('XmppStreamParser.write() called from one of its handlers');
    const gen = this.gen;
    this.busy = true;
    try {
      let text: string;
      try {
        // Streaming, so a UTF-8 sequence split across chunks is decoded once complete.
        text = this.decoder.decode(chunk, { stream: true });
      } catch {
        // RFC 6120 §4.9.3.22: "improperly encoded the stream (e.g., by violating the rules of UTF-8)".
        this.failed = true;
        this.failure = new XmlStreamError('unsupported-encoding', 'invalid UTF-8');
        this.deliver(gen);
        return;
      }
      for (let off = 0; off < text.length; off += PIECE) {
        this.step(text.length <= PIECE ? text : text.slice(off, off + PIECE));
        if (!this.deliver(gen)) return;
      }
    } finally {
      if (this.gen === gen) this.busy = false;
    }
  }

  private step(input: string): void {
    const piece = this.idle ? input.replace(LEADING_WS, '') : input;
    if (piece === '') return;
    this.budget.feed(piece, this.idle);
    try {
      this.sax.write(piece);
      this.idle = this.budget.settle() && this.depth === 1;
      if (this.idle) this.release();
    } catch (err) {
      // Anything saxes throws leaves it in an unknown state: treat it as malformed input.
      const e = err instanceof XmlStreamError ? err : new XmlStreamError('not-well-formed', String(err));
      if (e.message === UNEXPECTED_CLOSE && this.closeQueued) this.queue.pop();
      this.failed = true;
      this.failure = e;
    }
  }

  /** Delivers queued events, then the failure if any; false once the caller must stop. */
  private deliver(gen: number): boolean {
    const q = this.queue;
    this.queue = [];
    try {
      for (const item of q) {
        if (item.kind === 'stanza') this.handlers.stanza(item.el);
        else if (item.kind === 'open') this.handlers.streamOpen(item.attrs, item.name, item.xmlns);
        else this.handlers.streamClose();
        if (this.gen !== gen) return false;
      }
    } catch (err) {
      // A throwing handler leaves the rest of this input undeliverable: stop here.
      if (this.gen === gen) this.failed = true;
      throw err;
    }
    const failure = this.failure;
    if (failure === undefined) return true;
    this.failure = undefined;
    this.handlers.error(failure);
    return false;
  }

  /**
   * Between stanzas, drop saxes' references into the last input: its current chunk, and its
   * last closed tag, whose attribute values are slices of that chunk. Otherwise an idle session
   * pins its whole last read (up to 64 KiB from a socket) in memory. Clearing the tag is safe
   * only here, where saxes is reading text and will create a new tag before it reads one.
   */
  private release(): void {
    this.sax.write('');
    (this.sax as unknown as { tag: unknown }).tag = null;
  }

  private openStream(tag: SaxesTagNS): void {
    if (tag.local !== 'stream' || tag.uri !== NS_STREAMS) {
      throw new XmlStreamError('invalid-namespace', `root must be {${NS_STREAMS}}stream, got {${tag.uri}}${tag.local}`);
    }
    const attrs: Record<string, string> = {};
    for (const name in tag.attributes) {
      const a = tag.attributes[name]!;
      if (a.prefix !== 'xmlns' && a.name !== 'xmlns') setAttr(attrs, a.name, a.value);
    }
    const content = tag.ns[''];
    if (content !== undefined) attrs['xmlns'] = content;
    this.budget.end(this.sax.position);
    this.queue.push({ kind: 'open', attrs, name: tag.local, xmlns: tag.uri });
  }
}
