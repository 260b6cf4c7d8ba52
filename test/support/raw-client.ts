import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { XmppStreamParser, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';

/**
 * A hand-driven XMPP client on a raw socket, for what real libraries will not send: hostile
 * XML, spoofed addresses, protocol violations. It reads everything the server writes.
 */
export class RawClient {
  private buffer = '';
  /** Stanzas sent since Stream Management was enabled (see send()). */
  private smSent: number | undefined;
  private readonly waiters: (() => void)[] = [];
  closed = false;

  private constructor(private socket: Socket) {
    this.wire(socket);
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** XEP-0368 direct TLS, ALPN 'xmpp-client', any certificate accepted. */
  static connectTls(port: number, domain: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = tlsConnect({ port, host: '127.0.0.1', servername: domain, rejectUnauthorized: false, ALPNProtocols: ['xmpp-client'] }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wire(s: Socket): void {
    s.on('data', (d: Buffer) => {
      this.buffer += d.toString('utf8');
      this.waiters.splice(0).forEach((w) => w());
    });
    s.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
    s.on('error', () => undefined);
  }

  get received(): string {
    return this.buffer;
  }

  /** What was received (since the last clear()) as top-level elements, parsed without size limits. */
  elements(): Element[] {
    const out: Element[] = [];
    const parser = new XmppStreamParser({ streamOpen: () => undefined, stanza: (e) => out.push(e), streamClose: () => undefined, error: (e) => { throw e; } }, { maxStanzaBytes: 1 << 24, maxDepth: 64 });
    parser.write(Buffer.from(`<stream:stream xmlns='${NS.client}' xmlns:stream='${NS.stream}'>${this.buffer}`));
    return out;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Writes one stanza, counted for Stream Management once it is enabled. */
  send(stanza: string): void {
    if (this.smSent !== undefined) this.smSent++;
    this.write(stanza);
  }

  /** XEP-0198 without resumption, after bind: from now on send() counts stanzas. */
  async enableSm(): Promise<void> {
    this.write(`<enable xmlns='urn:xmpp:sm:3'/>`);
    await this.waitFor(/<enabled xmlns=['"]urn:xmpp:sm:3['"]/);
    this.smSent = 0;
  }

  /** Asks for an ack and resolves once the server's h covers every stanza sent (for a message: archived). */
  async allAcked(timeoutMs = 20_000): Promise<void> {
    const sent = this.smSent ?? 0;
    const mark = this.buffer.length;
    this.write(`<r xmlns='urn:xmpp:sm:3'/>`);
    const acks = () => [...this.buffer.slice(mark).matchAll(/<a xmlns=['"]urn:xmpp:sm:3['"] h=['"](\d+)['"]/g)];
    await this.until(() => acks().some((m) => Number(m[1]) >= sent), timeoutMs, `an ack for ${sent} stanzas`);
  }

  /** Resolves with everything received once `pattern` matches it. */
  async waitFor(pattern: RegExp, timeoutMs = 5_000): Promise<string> {
    await this.until(() => pattern.test(this.buffer), timeoutMs, String(pattern));
    return this.buffer;
  }

  private async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.closed) throw new Error(`connection closed before ${what}; received: ${this.buffer.slice(-500)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs}ms; received: ${this.buffer.slice(-500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`connection still open after ${timeoutMs}ms; received: ${this.buffer.slice(-500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  openStream(domain: string): void {
    this.write(`<?xml version='1.0'?><stream:stream to='${domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`);
  }

  /** STARTTLS up to the new stream's features. */
  async startTls(domain: string): Promise<void> {
    this.openStream(domain);
    await this.waitFor(/<\/stream:features>/);
    this.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    await this.waitFor(/<proceed/);
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false, servername: domain });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.socket = secure;
    this.buffer = '';
    this.wire(secure);
    this.openStream(domain);
    await this.waitFor(/<\/stream:features>/);
  }

  /** STARTTLS, SASL PLAIN and the stream restart, up to the post-authentication features. */
  async authenticate(domain: string, local: string, password: string): Promise<void> {
    await this.startTls(domain);
    this.buffer = '';
    this.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${local}\0${password}`).toString('base64')}</auth>`);
    const reply = await this.waitFor(/<success|<\/failure>/);
    if (!/<success/.test(reply)) throw new Error(`authentication failed: ${reply.slice(-300)}`);
    this.buffer = '';
    this.openStream(domain);
    await this.waitFor(/<\/stream:features>/);
    this.buffer = '';
  }

  /** STARTTLS, SASL PLAIN, stream restart and RFC 6120 bind; returns the bound JID. */
  async login(domain: string, local: string, password: string, resource = 'raw'): Promise<string> {
    await this.authenticate(domain, local, password);
    this.write(`<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`);
    const text = await this.waitFor(/<jid>[^<]+<\/jid>/);
    this.buffer = '';
    return /<jid>([^<]+)<\/jid>/.exec(text)![1]!;
  }

  /** Forgets what was received so far, so the next waitFor only sees what comes after. */
  clear(): void {
    this.buffer = '';
  }

  /** Stops reading from the socket (a client that never takes what the server sends). */
  stopReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  end(): void {
    this.socket.destroy();
  }
}
