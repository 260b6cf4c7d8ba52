import type { WebSocket } from 'ws';
import { el, Element, escapeText, parseElement, serialize, XmlStreamError, type ParserLimits } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { StreamHeader, Transport, TransportEvents } from './transport';

/**
 * RFC 7395: every WebSocket message is one complete element; the stream opens with
 * <open xmlns='urn:ietf:params:xml:ns:xmpp-framing'/> and ends with <close/>. TLS comes from
 * the WebSocket layer (wss), so STARTTLS is never offered.
 */
export class WsTransport implements Transport {
  readonly kind = 'websocket' as const;
  readonly canStartTls = false;
  private events: TransportEvents | undefined;
  private closed = false;
  bytesIn = 0;

  constructor(private readonly ws: WebSocket, readonly remoteAddress: string, readonly secure: boolean, private readonly limits: ParserLimits) {
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.events?.disconnected();
    });
  }

  get bytesQueued(): number {
    return this.ws.bufferedAmount;
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.bytesIn += data.length;
    if (isBinary) return this.events?.xmlError('unsupported-encoding', 'RFC 7395 frames are text');
    let element: Element;
    try {
      element = parseElement(data, this.limits, NS.client);
    } catch (err) {
      if (err instanceof XmlStreamError) return this.events?.xmlError(err.condition, err.message);
      throw err;
    }
    if (element.attrs['xmlns'] === NS.framing && element.name === 'open') return this.events?.streamOpen(element.attrs);
    if (element.attrs['xmlns'] === NS.framing && element.name === 'close') return this.events?.streamClose();
    this.events?.element(element);
  }

  attach(events: TransportEvents): void {
    this.events = events;
  }

  openStream(h: StreamHeader): void {
    this.sendText(serialize(el('open', { xmlns: NS.framing, id: h.id, from: h.from, to: h.to, version: '1.0', 'xml:lang': h.lang })));
  }

  send(element: Element): void {
    if (element.attrs['xmlns'] === NS.stream) {
      // <stream:features> and <stream:error> carry their prefix declaration in each frame.
      const inner = element.children.map((c) => (typeof c === 'string' ? escapeText(c) : serialize(c))).join('');
      return this.sendText(`<stream:${element.name} xmlns:stream='${NS.stream}'>${inner}</stream:${element.name}>`);
    }
    // RFC 7395 §3.4: each frame is a standalone element, so stanzas carry jabber:client themselves.
    this.sendText(serialize(element.attrs['xmlns'] ? element : new Element(element.name, { ...element.attrs, xmlns: NS.client }, element.children)));
  }

  closeStream(error?: Element): void {
    if (this.closed) return;
    if (error) this.send(error);
    this.sendText(serialize(el('close', { xmlns: NS.framing })));
    this.ws.close(1000);
    setTimeout(() => this.ws.terminate(), 5_000).unref();
  }

  startTls(): Promise<void> {
    return Promise.reject(new Error('STARTTLS is not available on WebSocket'));
  }

  restartStream(): void {
    // Nothing to reset: each frame is parsed on its own; the client sends a new <open/>.
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  destroy(): void {
    this.ws.terminate();
  }

  private sendText(text: string): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }
}
