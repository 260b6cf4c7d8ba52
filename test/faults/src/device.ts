/**
 * One device on @xmpp/client as a real 2.0 client runs it: SASL2 + Bind2 with IM-NG and
 * resumable Stream Management, reconnecting on its own and resuming (XEP-0198) first. The
 * library keeps the XEP-0198 outbound queue: each <a h/> acks exactly the stanzas it covers
 * ('ack'), a resume re-sends what was not acked, and a stream that cannot be resumed hands
 * its unacked stanzas back ('fail'), which the device re-sends after logging in again.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Client, Element } from '@xmpp/client';
import { NS } from '@concord/xmpp';

type Lib = typeof import('@xmpp/client');
let lib: Lib | undefined;

/** @xmpp/client is ESM only: loaded once, when the first device connects. */
export async function xmppLib(): Promise<Lib> {
  return (lib ??= await import('@xmpp/client'));
}

export interface Server {
  port: number;
  domain: string;
}

const RECONNECT_DELAY_MS = 250;

export class Device extends EventEmitter {
  /** origin-id → when its ack arrived (first ack only). */
  readonly acked = new Map<string, number>();
  /** When each ack arrived, in order. */
  readonly ackTimes: number[] = [];
  /** origin-id → copies received (live, re-sent after a resume, or in a catch-up). */
  readonly received = new Map<string, number>();
  logins = 0;
  resumes = 0;
  archiveFailed = 0;
  readonly errors: string[] = [];
  private online = false;
  private closing = false;
  /** Stanzas to send once the stream is back (made while it was down, or failed by the library). */
  private backlog: Element[] = [];
  private lastArchiveId: string | undefined;
  private readonly mamSinks = new Map<string, Element[]>();
  private queries = 0;

  private constructor(readonly name: string, readonly jid: string, private readonly x: Client, private readonly l: Lib) {
    super();
  }

  static async connect(name: string, server: Server, local: string, password: string): Promise<Device> {
    const l = await xmppLib();
    const x = l.client({
      service: `xmpp://127.0.0.1:${server.port}`,
      domain: server.domain,
      username: local,
      password,
      userAgent: l.xml('user-agent', { id: randomUUID() }, l.xml('software', {}, 'concord-faults')),
    });
    const d = new Device(name, `${local}@${server.domain}`, x, l);
    d.wire();
    await x.start();
    return d;
  }

  private wire(): void {
    const { x, l } = this;
    x.reconnect.delay = RECONNECT_DELAY_MS;
    x.bind2.use(NS.imNg, () => l.xml('enable', { xmlns: NS.imNg }));
    // After a lost session a 2.0 client asks for what it missed since the last archive ID it holds.
    x.bind2.use(NS.concord, () => (this.lastArchiveId ? l.xml('catchup', { xmlns: NS.concord, 'after-id': this.lastArchiveId, max: '1000' }) : undefined));
    // 'online' comes before the inline SM <enabled/> is handled: what is sent then would not
    // be in the SM queue, so the backlog goes out on the next turn.
    x.on('online', () => {
      this.logins++;
      setImmediate(() => this.back());
    });
    x.streamManagement.on('resumed', () => {
      this.resumes++;
      setImmediate(() => this.back());
    });
    x.on('status', (s) => {
      if (s === 'disconnect') this.online = false;
    });
    x.streamManagement.on('ack', (stanza) => {
      const id = originId(stanza);
      if (id === undefined) return;
      const now = Date.now();
      this.ackTimes.push(now);
      if (!this.acked.has(id)) this.acked.set(id, now);
      this.emit('progress');
    });
    x.streamManagement.on('fail', (stanza) => {
      if (!this.closing) this.backlog.push(stanza);
    });
    x.on('stanza', (el) => this.onStanza(el));
    x.on('error', (err) => this.errors.push(`${err.condition ?? err.name ?? ''} ${err.message || err.stack?.split('\n')[1]?.trim() || ''}`.trim()));
  }

  private back(): void {
    this.online = true;
    const again = this.backlog;
    this.backlog = [];
    for (const s of again) this.send(s);
    this.emit('progress');
  }

  private onStanza(el: Element): void {
    if (!el.is('message')) return;
    if (el.getChild('archive-failed', NS.concord)) this.archiveFailed++;
    const result = el.getChild('result', NS.mam);
    if (result) {
      const sink = this.mamSinks.get(result.attrs['queryid'] ?? '');
      if (sink) sink.push(result);
      else if (result.attrs['queryid'] === 'catchup') this.record(forwarded(result), result.attrs['id']);
      return;
    }
    this.record(el, el.getChild('stanza-id', NS.sid)?.attrs['id']);
  }

  private record(message: Element | undefined, archiveId: string | undefined): void {
    const id = originId(message);
    if (id === undefined) return;
    this.received.set(id, (this.received.get(id) ?? 0) + 1);
    if (archiveId) this.lastArchiveId = archiveId;
    this.emit('progress');
  }

  /** A persistent chat message to a bare JID, identified by its origin-id. */
  message(to: string, id: string): Element {
    const { xml } = this.l;
    return xml('message', { to, type: 'chat', id }, xml('body', {}, `fault suite ${id}`), xml('origin-id', { xmlns: NS.sid, id }));
  }

  /** Hands the stanza to the library now, or keeps it until the stream is back. */
  send(stanza: Element): void {
    if (!this.online) {
      this.backlog.push(stanza);
      return;
    }
    // A write to a socket that just died fails; the stanza is in the SM queue all the same.
    this.x.send(stanza).catch(() => undefined);
  }

  /** Asks the server for an ack of everything sent so far. */
  requestAck(): void {
    if (this.online && this.x.streamManagement.enabled) this.x.send(this.l.xml('r', { xmlns: NS.sm })).catch(() => undefined);
  }

  /** The whole archive of the account over XEP-0313: origin-id → rows. */
  async archive(): Promise<Map<string, number>> {
    const { xml } = this.l;
    const rows = new Map<string, number>();
    let after: string | undefined;
    for (;;) {
      const queryid = `q${++this.queries}`;
      const results: Element[] = [];
      this.mamSinks.set(queryid, results);
      try {
        const reply = await this.request(xml('iq', { type: 'set' }, xml('query', { xmlns: NS.mam, queryid },
          xml('set', { xmlns: NS.rsm }, xml('max', {}, '250'), after !== undefined && xml('after', {}, after)))));
        for (const r of results) {
          const id = originId(forwarded(r));
          if (id !== undefined) rows.set(id, (rows.get(id) ?? 0) + 1);
        }
        const fin = reply.getChild('fin', NS.mam);
        const last = fin?.getChild('set', NS.rsm)?.getChildText('last');
        if (fin?.attrs['complete'] === 'true' || results.length === 0 || !last) return rows;
        after = last;
      } finally {
        this.mamSinks.delete(queryid);
      }
    }
  }

  /** An IQ, asked again (up to 3 times) if the stream broke meanwhile, once it is back. */
  private async request(iq: Element): Promise<Element> {
    for (let attempt = 1; ; attempt++) {
      await this.whenOnline(60_000);
      try {
        return await this.x.iqCaller.request(iq, 60_000);
      } catch (err) {
        if (attempt >= 3 || (err as { name?: string }).name === 'StanzaError') throw err;
      }
    }
  }

  private whenOnline(timeoutMs: number): Promise<void> {
    if (this.online) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('progress', check);
        reject(new Error(`${this.name}: not online again within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      const check = () => {
        if (!this.online) return;
        clearTimeout(timer);
        this.off('progress', check);
        resolve();
      };
      this.on('progress', check);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.x.reconnect.stop();
    await this.x.stop().catch(() => undefined);
  }
}

function forwarded(result: Element): Element | undefined {
  return result.getChild('forwarded', NS.forward)?.getChild('message');
}

function originId(stanza: Element | undefined): string | undefined {
  return stanza?.getChild('origin-id', NS.sid)?.attrs['id'];
}
