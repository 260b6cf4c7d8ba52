/**
 * Routing benchmark: durable 1-1 messages through gateway → router → archive (all three as their
 * own processes, as deployed) between many concurrent client connections on loopback.
 * - send→ack: a message followed by an SM <r/>; the <a/> that covers it means both archive rows
 *   are committed (the recipient's event precedes the sender's, and commits follow the archive's
 *   in-order watermark).
 * - send→delivery: until the recipient's connection receives the live copy.
 * Rows at several offered rates (open loop: sends are paced by the clock, not by answers), one
 * closed-loop row for the sustained maximum, and the time a 2.0 client's Bind2 catch-up of 10,000
 * messages takes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Bus } from '@concord/bus';
import { createLogger } from '@concord/log';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { deriveAllCredentials } from '@concord/sasl';
import { AccountStore, connectCassandra, migrate, parseReplication } from '@concord/storage';
import { cpuPerMessage, describeCpu, readCpu, stackPids, type CpuReading } from './cpu';
import { deleteBus, freePorts, startService, stopService, waitReady, type Child } from './children';
import { percentile, runConcurrent, type Row } from './stats';
import { BenchClient, type Top } from './xmpp-client';

const PASSWORD = 'bench-password-1';
const PAIRS = Number(process.env['CONCORD_BENCH_PAIRS'] || 100);
const RATES = (process.env['CONCORD_BENCH_RATES'] || '250,500,1000,2500').split(',').map(Number);
const SECONDS_PER_RATE = Number(process.env['CONCORD_BENCH_SECONDS'] || 5);
const CLOSED_LOOP_WINDOW = 16;
const CATCHUP = Number(process.env['CONCORD_BENCH_CATCHUP'] || 10_000);
/**
 * Messages sent before anything is measured. A Cassandra the bench has just started is still
 * compiling its hot paths: with 2,000 warm-up messages the 250/s row measured p50 45–110 ms
 * on a fresh stack against 7–9 ms on a warm one, which is not the steady state the rows report.
 */
const WARMUP = Number(process.env['CONCORD_BENCH_WARMUP'] || 15_000);
const DRAIN_TIMEOUT_MS = 120_000;
/** Where the services write V8 CPU profiles when they stop (to see where the time goes); unset: none. */
const PROFILE_DIR = process.env['CONCORD_BENCH_PROFILE_DIR'];
/**
 * Streams enable resumption: the gateway then writes each stream's Stream Management record to
 * KV ahead of its socket (one put per stream per event-loop turn at most), which acks and
 * deliveries wait for.
 */
const SM_RESUME = process.env['CONCORD_BENCH_SM_RESUME'] === 'true';

const out = (line: string) => process.stdout.write(`routing: ${line}\n`);

/** One sending connection: its stream's stanza count is what SM `h` acknowledges. */
class Sender {
  private sentOnStream = 0;
  /** Send times of messages not yet acked, in stream order. */
  private readonly unacked: { h: number; at: number; done: (ms: number) => void }[] = [];

  /** `to`: where messages go (changed between phases; the stream's count goes on). */
  constructor(readonly client: BenchClient, public to: string) {
    client.onStanza = (t: Top) => {
      if (t.name !== 'a') return;
      const h = Number(/h=["'](\d+)["']/.exec(t.xml)?.[1]);
      const now = performance.now();
      while (this.unacked.length > 0 && this.unacked[0]!.h <= h) {
        const u = this.unacked.shift()!;
        u.done(now - u.at);
      }
    };
  }

  get inFlight(): number {
    return this.unacked.length;
  }

  send(id: string, onAck: (ms: number) => void): void {
    this.sentOnStream++;
    this.unacked.push({ h: this.sentOnStream, at: performance.now(), done: onAck });
    this.client.write(`<message to='${this.to}' type='chat' id='${id}'><body>benchmark message ${id}</body></message><r xmlns='urn:xmpp:sm:3'/>`);
  }
}

interface Phase {
  sentAt: Map<string, number>;
  ack: number[];
  delivery: number[];
  lastAckAt: number;
}

function newPhase(): Phase {
  return { sentAt: new Map(), ack: [], delivery: [], lastAckAt: 0 };
}

/** Routes delivered copies (by the message id the sender gave) to the phase that sent them. */
function watchDeliveries(recipients: BenchClient[], current: () => Phase | undefined): void {
  for (const r of recipients) {
    r.onStanza = (t: Top) => {
      if (t.name !== 'message') return;
      const id = /\sid=["'](b\d+_\d+)["']/.exec(t.xml)?.[1];
      const p = current();
      const at = id ? p?.sentAt.get(id) : undefined;
      if (at !== undefined) p!.delivery.push(performance.now() - at);
    };
  }
}

/** Waits until every message is acked (and delivered), or the drain timeout passes. */
async function drained(p: Phase, expected: number, trackDelivery = true): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while ((p.ack.length < expected || (trackDelivery && p.delivery.length < expected)) && Date.now() < deadline) await sleep(20);
}

/** CPU time of every process serving the benchmark so far (services, nats-server, Cassandra). */
type CpuMeter = () => CpuReading;

function phaseRow(bench: string, p: Phase, sent: number, t0: number, note: string, cpu?: { before: CpuReading; after: CpuReading }): Row[] {
  const seconds = (p.lastAckAt - t0) / 1000;
  const sort = (a: number[]) => [...a].sort((x, y) => x - y);
  const ack = sort(p.ack);
  const del = sort(p.delivery);
  const missing = `${sent - ack.length ? `; ${sent - ack.length} not acked in ${DRAIN_TIMEOUT_MS / 1000}s` : ''}${sent - del.length ? `; ${sent - del.length} not delivered` : ''}`;
  return [
    { bench: `${bench}: send→ack`, ops: ack.length, seconds, p50: percentile(ack, 50), p99: percentile(ack, 99), note: `${note}${missing}` },
    { bench: `${bench}: send→delivery`, ops: del.length, seconds: 0, p50: percentile(del, 50), p99: percentile(del, 99), note: 'live copy at the recipient connection' },
    ...(cpu ? [cpuRow(bench, cpu.before, cpu.after, sent)] : []),
  ];
}

function cpuRow(bench: string, before: CpuReading, after: CpuReading, messages: number): Row {
  const c = cpuPerMessage(before, after, messages);
  const [total, ...parts] = describeCpu(c).split(' (');
  return { bench: `${bench}: CPU per message`, ops: messages, seconds: 0, value: total!, note: `all processes: ${parts.join(' (').replace(/\)$/, '')}` };
}

let seq = 0;
const nextId = (phase: number) => `b${phase}_${seq++}`;

/** Open loop: `rate` messages/s for `seconds`, spread round-robin over the senders. */
async function offered(senders: Sender[], rate: number, seconds: number, phaseNo: number, setPhase: (p: Phase) => void, cpu: CpuMeter): Promise<Row[]> {
  const p = newPhase();
  setPhase(p);
  const before = cpu();
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; sent < due; sent++) {
      const id = nextId(phaseNo);
      p.sentAt.set(id, performance.now());
      senders[sent % senders.length]!.send(id, (ms) => {
        p.ack.push(ms);
        p.lastAckAt = performance.now();
      });
    }
    await sleep(2);
  }
  await drained(p, total);
  return phaseRow(`1-1 durable, offered ${rate}/s`, p, total, t0, `${senders.length} senders → ${senders.length} recipients, ${seconds}s`, { before, after: cpu() });
}

/** Closed loop: each sender keeps `window` messages in flight until `total` are sent and acked. */
async function closedLoop(senders: Sender[], total: number, window: number, phaseNo: number, setPhase: (p: Phase) => void, cpu: CpuMeter, trackDelivery = true): Promise<Row[]> {
  const p = newPhase();
  setPhase(p);
  const before = cpu();
  const t0 = performance.now();
  let sent = 0;
  const pump = (s: Sender) => {
    while (s.inFlight < window && sent < total) {
      sent++;
      const id = nextId(phaseNo);
      p.sentAt.set(id, performance.now());
      s.send(id, (ms) => {
        p.ack.push(ms);
        p.lastAckAt = performance.now();
        pump(s);
      });
    }
  };
  senders.forEach(pump);
  await drained(p, total, trackDelivery);
  return phaseRow(`1-1 durable, closed loop (${window} in flight per sender)`, p, total, t0, `sustained maximum; ${senders.length} senders`, { before, after: cpu() });
}

export async function benchRouting(c: CommonConfig): Promise<Row[]> {
  await migrate(cassandraSettings(c), c.cassandraKeyspace, parseReplication('SimpleStrategy:1'));
  const cassandra = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
  const children: Child[] = [];
  const clients: BenchClient[] = [];
  try {
    const [tcp, tls, ws, gwHttp, routerHttp, archiveHttp, pushHttp] = await freePorts(7) as [number, number, number, number, number, number, number];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CONCORD_NATS_URL: c.natsUrls.join(','),
      CONCORD_CASSANDRA_CONTACT_POINTS: c.cassandraContactPoints.join(','),
      CONCORD_BUS_PREFIX: c.busPrefix,
      CONCORD_CASSANDRA_KEYSPACE: c.cassandraKeyspace,
      CONCORD_DOMAIN: c.domain,
      CONCORD_LOG_LEVEL: 'warn',
      CONCORD_GATEWAY_HOST: '127.0.0.1',
      CONCORD_GATEWAY_TCP_PORT: String(tcp),
      CONCORD_GATEWAY_TLS_PORT: String(tls),
      CONCORD_GATEWAY_WS_PORT: String(ws),
      CONCORD_GATEWAY_HTTP_PORT: String(gwHttp),
      CONCORD_ROUTER_HTTP_PORT: String(routerHttp),
      CONCORD_ARCHIVE_HTTP_PORT: String(archiveHttp),
      CONCORD_PUSH_HTTP_PORT: String(pushHttp),
      CONCORD_GATEWAY_PLAIN_WITHOUT_TLS: 'true',
      CONCORD_GATEWAY_MAX_CONNECTIONS_PER_IP: '100000',
      // The load is the point: no per-connection rate limit.
      CONCORD_GATEWAY_STANZAS_PER_SECOND: '100000',
      CONCORD_GATEWAY_BYTES_PER_SECOND: '100000000',
      CONCORD_GATEWAY_CATCHUP_MAX: String(CATCHUP),
      CONCORD_ARCHIVE_GRPC_PORT: '0',
    };
    // The push service runs as in production: it takes push requests and tells the router
    // which accounts have registrations (here none, so no push requests).
    for (const [name, port] of [['gateway', gwHttp], ['router', routerHttp], ['archive', archiveHttp], ['push', pushHttp]] as const) {
      const child = startService(name, env, PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []);
      children.push(child);
      await waitReady(child, port);
    }
    const processes = [...children.map((ch) => ({ name: ch.name, pid: ch.pid })), ...stackPids()];
    const cpu: CpuMeter = () => readCpu(processes);
    out(`CPU counted in: ${processes.map((p) => p.name).join(', ')}${stackPids().length === 0 ? ' (nats-server and Cassandra not known: run through npm run bench)' : ''}`);
    const store = new AccountStore(cassandra);
    const names = [...Array.from({ length: PAIRS }, (_, i) => [`s${i}`, `r${i}`]).flat(), 'catchup'];
    const creds = deriveAllCredentials(PASSWORD);
    await runConcurrent(names.length, 16, async (i) => {
      await store.create({ jid: `${names[i]}@${c.domain}`, credentials: creds, createdAt: new Date(), admin: false, disabled: false });
    });
    const login = async (user: string) => {
      const cl = await BenchClient.open({ port: tcp, domain: c.domain, user, password: PASSWORD, resource: 'bench' });
      clients.push(cl);
      await cl.loginLegacy(SM_RESUME);
      return cl;
    };
    const senderClients: BenchClient[] = [];
    const recipients: BenchClient[] = [];
    await runConcurrent(PAIRS, 32, async (i) => {
      senderClients[i] = await login(`s${i}`);
      recipients[i] = await login(`r${i}`);
    });
    const senders = senderClients.map((cl, i) => new Sender(cl, `r${i}@${c.domain}`));
    out(`${PAIRS} senders and ${PAIRS} recipients connected (plain TCP, SASL PLAIN, RFC 6120 bind, SM enabled${SM_RESUME ? ' with resumption' : ''})`);
    let phase: Phase | undefined;
    watchDeliveries(recipients, () => phase);
    const rows: Row[] = [];
    // Warm-up (JIT of the services and Cassandra, connection pools, partitions) is not reported.
    await closedLoop(senders, WARMUP, 4, 0, (p) => (phase = p), cpu);
    out(`warm-up of ${WARMUP} messages done`);
    for (const [i, rate] of RATES.entries()) {
      rows.push(...await offered(senders, rate, SECONDS_PER_RATE, i + 1, (p) => (phase = p), cpu));
      out(`offered ${rate}/s done`);
    }
    rows.push(...await closedLoop(senders, 20_000, CLOSED_LOOP_WINDOW, 90, (p) => (phase = p), cpu));
    out('closed loop done');

    // Catch-up: 10,000 messages into one account, then a 2.0 client asks for all of them.
    for (const s of senders) s.to = `catchup@${c.domain}`;
    await closedLoop(senders, CATCHUP, 8, 91, (p) => (phase = p), cpu, false);
    const cu = await BenchClient.open({ port: tcp, domain: c.domain, user: 'catchup', password: PASSWORD, resource: 'device-1' });
    clients.push(cu);
    const t0 = performance.now();
    out(`${CATCHUP} messages sent to catchup@${c.domain}; logging in with a Bind2 catch-up`);
    const got = await cu.loginCatchup(CATCHUP);
    const ms = performance.now() - t0;
    rows.push({ bench: `Bind2 catch-up of ${CATCHUP} messages`, ops: got.results, seconds: ms / 1000, value: `${ms.toFixed(0)} ms`, note: `authenticate sent → <caught-up complete='${got.complete}'/> received; includes SASL2 PLAIN + bind` });
    return rows;
  } finally {
    for (const cl of clients) cl.close();
    for (const child of children.reverse()) {
      const how = await stopService(child);
      if (!how.startsWith('exited 0')) out(`${child.name} ${how}; last output:\n${child.tail().split('\n').slice(-6).join('\n')}`);
    }
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${c.cassandraKeyspace}`).catch((err: Error) => out(`could not drop keyspace: ${err.message}`));
    await cassandra.shutdown();
    try {
      const bus = await Bus.connect({ servers: c.natsUrls, name: 'bench', prefix: c.busPrefix, log: createLogger('bench', 'warn') });
      await deleteBus(bus).finally(() => bus.close());
    } catch (err) {
      out(`could not delete the bus streams of ${c.busPrefix}: ${(err as Error).message}`);
    }
  }
}
