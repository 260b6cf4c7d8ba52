import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export interface DriverEvent {
  event: string;
  xml?: string;
  status?: string;
  message?: string;
  condition?: string;
}

interface Reply {
  id: number;
  ok: boolean;
  message?: string;
  condition?: string;
  [k: string]: unknown;
}

/**
 * A test's handle on one client process (a real XMPP library). Events are kept, so a test can
 * wait for one that already happened; nothing is timed by sleeping.
 */
export class ClientDriver {
  readonly events: DriverEvent[] = [];
  private readonly waiters: { match: (e: DriverEvent) => boolean; resolve: (e: DriverEvent) => void }[] = [];
  private readonly pending = new Map<number, (r: Reply) => void>();
  private nextId = 1;
  private stderr = '';
  private readonly exited: Promise<number | null>;

  private constructor(readonly name: string, private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (line) => this.onLine(line));
    proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => proc.on('exit', resolve));
  }

  /** @xmpp/client (Node.js), in its own process. */
  static xmppjs(name: string): ClientDriver {
    const proc = spawn(process.execPath, [join(__dirname, '..', 'clients', 'xmppjs-driver.mjs')], {
      env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new ClientDriver(name, proc);
  }

  /** slixmpp (Python, Debian's python3-slixmpp), in its own process. */
  static slixmpp(name: string): ClientDriver {
    const proc = spawn('/usr/bin/python3', [join(__dirname, '..', 'clients', 'slixmpp_driver.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new ClientDriver(name, proc);
  }

  private onLine(line: string): void {
    let msg: Reply & DriverEvent;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof msg.id === 'number' && this.pending.has(msg.id)) {
      this.pending.get(msg.id)!(msg);
      this.pending.delete(msg.id);
      return;
    }
    this.events.push(msg);
    for (const w of [...this.waiters]) {
      if (w.match(msg)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    }
  }

  async call<T extends Record<string, unknown>>(op: string, args: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<T & Reply> {
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name}: ${op} timed out after ${timeoutMs}ms; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      void this.exited.then(() => {
        clearTimeout(t);
        reject(new Error(`${this.name}: client process exited during ${op}; stderr: ${this.stderr.slice(-2000)}`));
      });
    });
    this.proc.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    return reply as Promise<T & Reply>;
  }

  /** Like call(), but a failed operation throws. */
  async ok<T extends Record<string, unknown>>(op: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<T & Reply> {
    const r = await this.call<T>(op, args, timeoutMs);
    if (!r.ok) throw new Error(`${this.name}: ${op} failed: ${r.message}${r.condition ? ` (${r.condition})` : ''}`);
    return r;
  }

  /** The first event (past or future) that matches. */
  waitFor(match: (e: DriverEvent) => boolean, timeoutMs = 10_000, what = 'event'): Promise<DriverEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (e: DriverEvent) => (clearTimeout(t), resolve(e)) };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs}ms; events: ${JSON.stringify(this.events.slice(-10))}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async kill(): Promise<void> {
    this.proc.stdin.end();
    this.proc.kill('SIGTERM');
    await this.exited;
  }
}

export interface LegacyLogin {
  username: string;
  password: string;
  resource: string;
  /** Enable XEP-0280 carbons after binding. */
  carbons?: boolean;
  /** Send initial presence once set up (after carbons), as clients do. */
  presence?: boolean;
  /** Report every message as received, not only those slixmpp passes to applications. */
  rawMessages?: boolean;
}

/** A legacy actor on slixmpp (STARTTLS, SASL, RFC 6120 bind), set up as `login` says. */
export async function slixmppOnline(name: string, server: { port: number; domain: string }, login: LegacyLogin): Promise<ClientDriver> {
  const driver = ClientDriver.slixmpp(name);
  await driver.ok('start', { host: '127.0.0.1', port: server.port, domain: server.domain, ...login });
  return driver;
}
