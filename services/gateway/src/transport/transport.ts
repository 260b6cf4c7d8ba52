import type { Element } from '@concord/xml';

/** What a transport reports to the connection above it. */
export interface TransportEvents {
  /** A stream header (TCP) or <open/> (WebSocket) arrived. */
  streamOpen(attrs: Record<string, string>): void;
  /** A complete top-level element: stanza or nonza. */
  element(el: Element): void;
  /** The peer closed the stream (</stream:stream> or <close/>). */
  streamClose(): void;
  /** The peer sent XML we refuse; the connection answers with this stream error condition. */
  xmlError(condition: string, text: string): void;
  /** The socket is gone. Called once. */
  disconnected(): void;
}

export interface StreamHeader {
  from: string;
  id: string;
  to?: string;
  lang: string;
}

/**
 * One client connection's byte or message channel. TCP and WebSocket differ only in framing
 * (RFC 6120 stream header vs RFC 7395 <open/>) and in how TLS starts; the XMPP logic above is
 * shared.
 */
export interface Transport {
  readonly kind: 'tcp' | 'tls' | 'websocket';
  readonly remoteAddress: string;
  /** Encrypted now (direct TLS, after STARTTLS, or wss). */
  readonly secure: boolean;
  /** STARTTLS can still be offered on this transport. */
  readonly canStartTls: boolean;
  /** Bytes received so far (for rate limits). */
  readonly bytesIn: number;
  /** Bytes written and not yet taken by the peer (buffered in this process). */
  readonly bytesQueued: number;
  attach(events: TransportEvents): void;
  openStream(header: StreamHeader): void;
  send(el: Element): void;
  /** Writes an optional stream error, closes the stream and ends the connection. */
  closeStream(error?: Element): void;
  /** Upgrades to TLS after <proceed/> has been written (TCP only). */
  startTls(): Promise<void>;
  /** The stream restarts (after STARTTLS or SASL success): a new header is expected. */
  restartStream(): void;
  /** Flow control: stop reading while the peer exceeds its rate. */
  pause(): void;
  resume(): void;
  /** Drop the connection without a goodbye. */
  destroy(): void;
}
