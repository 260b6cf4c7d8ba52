import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { escapeAttr, escapeText, serialize, XmppStreamParser, type Element, type ParserLimits, XmlStreamError } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { StreamHeader, Transport, TransportEvents } from './transport';

/** Serializes a top-level element for a TCP stream whose default namespace is jabber:client. */
export function serializeForStream(el: Element): string {
  if (el.attrs['xmlns'] !== NS.stream) return serialize(el, NS.client);
  // Stream-level elements keep the conventional stream: prefix that clients look for.
  const inner = el.children.map((c) => (typeof c === 'string' ? escapeText(c) : serialize(c, NS.client))).join('');
  return `<stream:${el.name}>${inner}</stream:${el.name}>`;
}

/**
 * Longest a TLS handshake may take (direct TLS or after <proceed/>): a connection that never
 * finishes one would otherwise hold its socket, and its address's connection slot, for minutes.
 */
const TLS_HANDSHAKE_MS = 10_000;

/** XEP-0368's ALPN protocol name for client-to-server streams. */
const ALPN = 'xmpp-client';

export interface TcpTransportOptions {
  secureContext: SecureContext;
  limits: ParserLimits;
  /** XEP-0368: TLS from the first byte. */
  directTls: boolean;
  /** Called once when the connection is gone (its slot in the per-address count). */
  release: () => void;
}

/** RFC 6120 stream over TCP, optionally direct TLS (XEP-0368) or upgraded with STARTTLS. */
export class TcpTransport implements Transport {
  readonly kind: 'tcp' | 'tls';
  readonly remoteAddress: string;
  private events: TransportEvents | undefined;
  private parser: XmppStreamParser;
  private socket: Socket;
  private unwire: () => void = () => undefined;
  private closed = false;
  private streamOpened = false;
  private corked = false;
  private tls: boolean;
  bytesIn = 0;

  constructor(socket: Socket, private readonly opts: TcpTransportOptions) {
    this.socket = socket;
    this.kind = opts.directTls ? 'tls' : 'tcp';
    this.tls = opts.directTls;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.parser = this.newParser();
    if (opts.directTls) this.upgrade().catch(() => undefined);
    else this.wire(socket);
  }

  get secure(): boolean {
    return this.tls;
  }

  get canStartTls(): boolean {
    return !this.tls;
  }

  get bytesQueued(): number {
    return this.socket.writableLength;
  }

  private newParser(): XmppStreamParser {
    return new XmppStreamParser({
      streamOpen: (attrs) => this.events?.streamOpen(attrs),
      stanza: (el) => this.events?.element(el),
      streamClose: () => this.events?.streamClose(),
      error: (err: XmlStreamError) => this.events?.xmlError(err.condition, err.message),
    }, this.opts.limits);
  }

  private wire(socket: Socket): void {
    const onData = (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      this.parser.write(chunk);
    };
    const onError = () => socket.destroy();
    const onClose = () => this.gone();
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    this.unwire = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
  }

  /** The connection is over (reported once, and its per-address slot given back). */
  private gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.release();
    this.events?.disconnected();
  }

  attach(events: TransportEvents): void {
    this.events = events;
  }

  openStream(h: StreamHeader): void {
    this.streamOpened = true;
    this.write(`<?xml version='1.0'?><stream:stream xmlns='${NS.client}' xmlns:stream='${NS.stream}' ` +
      `id='${escapeAttr(h.id)}' from='${escapeAttr(h.from)}'${h.to ? ` to='${escapeAttr(h.to)}'` : ''} version='1.0' xml:lang='${escapeAttr(h.lang)}'>`);
  }

  send(el: Element): void {
    this.write(serializeForStream(el));
  }

  closeStream(error?: Element): void {
    if (this.closed) return;
    if (error) this.write(serializeForStream(error));
    if (this.streamOpened) this.write('</stream:stream>');
    this.socket.end();
    // A peer that never closes its side must not hold the socket forever.
    setTimeout(() => this.socket.destroy(), 5_000).unref();
  }

  async startTls(): Promise<void> {
    // <proceed/> must reach the wire in the clear before TLS takes the socket over.
    if (this.corked) this.socket.uncork();
    this.unwire();
    await this.upgrade();
    this.restartStream();
  }

  /** Takes the plain socket over with TLS; a failed or stalled handshake ends the connection. */
  private async upgrade(): Promise<void> {
    const plain = this.socket;
    // XEP-0368 names its ALPN protocol; a STARTTLS handshake takes none (a mismatch would fail it).
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.opts.secureContext, ...(this.opts.directTls ? { ALPNProtocols: [ALPN] } : {}) });
    // Whichever socket reports the end first, the connection is gone once.
    plain.once('close', () => this.gone());
    plain.on('error', () => plain.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('TLS handshake timed out')), TLS_HANDSHAKE_MS);
        secure.once('secure', () => {
          clearTimeout(timer);
          resolve();
        });
        secure.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
    } catch (err) {
      secure.destroy();
      plain.destroy();
      this.gone();
      throw err;
    }
    this.socket = secure;
    this.tls = true;
    this.wire(secure);
  }

  restartStream(): void {
    this.parser = this.newParser();
    this.streamOpened = false;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private write(text: string): void {
    if (this.closed || !this.socket.writable) return;
    // Stanzas written in the same tick (an ack and a delivery, a burst of catch-up results)
    // leave in one system call instead of one each.
    if (!this.corked) {
      this.corked = true;
      const socket = this.socket;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.socket.write(text);
  }
}
