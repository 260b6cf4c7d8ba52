/**
 * A minimal raw XMPP client for load: plain TCP, SASL PLAIN or SASL2 + Bind2, Stream Management,
 * and a top-level stanza splitter that only looks at tag names (a client library would dominate
 * the CPU the benchmark is meant to give the server). Test accounts and payloads are the bench's
 * own, so the splitter does not need to handle the whole XML grammar.
 */
import { connect, type Socket } from 'node:net';
import { NS } from '@concord/xmpp';

const TIMEOUT_MS = 60_000;

export interface Top {
  name: string;
  xml: string;
}

/** Splits a stream's text into top-level elements after the stream header. */
export class TopLevelSplitter {
  private buf = '';

  push(chunk: string): Top[] {
    this.buf += chunk;
    const out: Top[] = [];
    for (;;) {
      const start = this.buf.indexOf('<');
      if (start < 0) {
        this.buf = '';
        return out;
      }
      const m = /^<([a-zA-Z:]+)/.exec(this.buf.slice(start, start + 64));
      if (!m) {
        // `<?xml ...?>` or a closing tag of the stream: skip past it.
        const end = this.buf.indexOf('>', start);
        if (end < 0) return out;
        this.buf = this.buf.slice(end + 1);
        continue;
      }
      const name = m[1]!;
      const headEnd = this.buf.indexOf('>', start);
      if (headEnd < 0) return out;
      if (name === 'stream:stream') {
        this.buf = this.buf.slice(headEnd + 1);
        continue;
      }
      let end: number;
      if (this.buf[headEnd - 1] === '/') end = headEnd + 1;
      else {
        const close = this.buf.indexOf(`</${name}>`, headEnd);
        if (close < 0) return out;
        end = close + name.length + 3;
      }
      out.push({ name, xml: this.buf.slice(start, end) });
      this.buf = this.buf.slice(end);
    }
  }
}

export interface ClientOptions {
  port: number;
  domain: string;
  user: string;
  password: string;
  resource: string;
}

const header = (domain: string) => `<?xml version='1.0'?><stream:stream to='${domain}' xmlns='${NS.client}' xmlns:stream='${NS.stream}' version='1.0'>`;

/**
 * One client connection. `onStanza` sees every top-level element after set-up; SM requests from
 * the server are answered with the count of stanzas received, as a real client does.
 */
export class BenchClient {
  received = 0;
  onStanza: (t: Top) => void = () => undefined;
  private readonly splitter = new TopLevelSplitter();
  private waiting: { match: (t: Top) => boolean; resolve: (t: Top) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private constructor(readonly socket: Socket, private readonly opts: ClientOptions) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      if (process.env['BENCH_DEBUG'] && opts.user === 'catchup') process.stdout.write(`<<< ${d.slice(0, 600)}\n`);
      for (const t of this.splitter.push(d)) this.dispatch(t);
    });
    socket.on('close', () => {
      for (const w of this.waiting) w.reject(new Error(`${opts.user}/${opts.resource}: connection closed`));
      this.waiting = [];
    });
  }

  static async open(opts: ClientOptions): Promise<BenchClient> {
    const socket = connect({ port: opts.port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
    return new BenchClient(socket, opts);
  }

  /** RFC 6120 login: SASL PLAIN, bind, then XEP-0198 enable (resumable: the gateway keeps its state as it changes). */
  async loginLegacy(resumable = false): Promise<void> {
    const { domain, user, password, resource } = this.opts;
    this.write(header(domain));
    await this.next((t) => t.name === 'stream:features');
    this.write(`<auth xmlns='${NS.sasl}' mechanism='PLAIN'>${plain(user, password)}</auth>`);
    expectName(await this.next((t) => t.name === 'success' || t.name === 'failure'), 'success');
    this.write(header(domain));
    await this.next((t) => t.name === 'stream:features');
    this.write(`<iq type='set' id='bind'><bind xmlns='${NS.bind}'><resource>${resource}</resource></bind></iq>`);
    await this.next((t) => t.name === 'iq');
    this.write(`<enable xmlns='${NS.sm}'${resumable ? ` resume='true'` : ''}/>`);
    expectName(await this.next((t) => t.name === 'enabled' || t.name === 'failed'), 'enabled');
  }

  /**
   * SASL2 + Bind2 login as a 2.0 client asking for a catch-up from the beginning of its archive
   * (`since` the epoch); resolves with the time the <caught-up/> marker arrived and how many
   * catch-up results came before it.
   */
  async loginCatchup(max: number): Promise<{ results: number; complete: string }> {
    const { domain, user, password, resource } = this.opts;
    this.write(header(domain));
    await this.next((t) => t.name === 'stream:features');
    let results = 0;
    this.onStanza = (t) => {
      if (t.name === 'message' && t.xml.includes(`queryid='catchup'`)) results++;
    };
    this.write(`<authenticate xmlns='${NS.sasl2}' mechanism='PLAIN'><initial-response>${plain(user, password)}</initial-response>` +
      `<user-agent id='${resource}'/><bind xmlns='${NS.bind2}'><tag>bench</tag><enable xmlns='${NS.imNg}'/>` +
      `<catchup xmlns='${NS.concord}' since='1970-01-01T00:00:00Z' max='${max}'/></bind></authenticate>`);
    expectName(await this.next((t) => t.name === 'success' || t.name === 'failure'), 'success');
    const marker = await this.next((t) => t.name === 'message' && t.xml.includes('<caught-up'));
    return { results, complete: /complete=['"](\w+)['"]/.exec(marker.xml.slice(marker.xml.indexOf('<caught-up')))?.[1] ?? '?' };
  }

  write(text: string): void {
    this.socket.write(text);
  }

  close(): void {
    this.socket.destroy();
  }

  private next(match: (t: Top) => boolean): Promise<Top> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.opts.user}/${this.opts.resource}: no answer within ${TIMEOUT_MS / 1000}s`)), TIMEOUT_MS);
      this.waiting.push({ match, resolve, reject, timer });
    });
  }

  private dispatch(t: Top): void {
    if (t.name === 'message' || t.name === 'iq' || t.name === 'presence') this.received++;
    if (t.name === 'r') this.write(`<a xmlns='${NS.sm}' h='${this.received}'/>`);
    if (t.name === 'stream:error') {
      for (const w of this.waiting) w.reject(new Error(`${this.opts.user}: stream error ${t.xml}`));
      this.waiting = [];
      return;
    }
    const i = this.waiting.findIndex((w) => w.match(t));
    if (i >= 0) {
      const [w] = this.waiting.splice(i, 1);
      clearTimeout(w!.timer);
      w!.resolve(t);
      return;
    }
    this.onStanza(t);
  }
}

function plain(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`).toString('base64');
}

function expectName(t: Top, name: string): void {
  if (t.name !== name) throw new Error(`expected <${name}>, got ${t.xml.slice(0, 300)}`);
}
