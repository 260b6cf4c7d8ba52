/**
 * Gateway benchmark: many concurrent authenticated idle sessions against a real gateway process
 * (and a router, so the deployment is the usual one), with the gateway's RSS per idle session
 * and the connection set-up rate. Clients are raw sockets in this process (a client library
 * would dominate memory and CPU); they speak plain TCP with SASL PLAIN, so TLS is not measured.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Bus } from '@concord/bus';
import { createLogger } from '@concord/log';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { deriveAllCredentials } from '@concord/sasl';
import { AccountStore, connectCassandra, migrate, parseReplication } from '@concord/storage';
import { cpuSecondsOf } from './cpu';
import { deleteBus, freePorts, startService, stopService, waitReady, type Child } from './children';
import { percentile, runConcurrent, type Row } from './stats';

const TARGET_SESSIONS = 10_000;
const MAX_ACCOUNTS = 500;
const IN_FLIGHT = 200;
/** File descriptors kept free in each process for everything that is not a client connection. */
const FD_RESERVE = 500;
/** Ephemeral ports kept free for the rest of the machine. */
const PORT_RESERVE = 1_000;
const PASSWORD = 'bench-password-1';
const SESSION_TIMEOUT_MS = 60_000;

const out = (line: string) => process.stdout.write(`gateway: ${line}\n`);

// ---- /proc readings (Linux) ------------------------------------------------------------------

/** Soft limit on open files of a process; undefined when /proc is not there. */
function fdLimit(pid: number | 'self'): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : undefined;
  } catch {
    return undefined;
  }
}

function ephemeralPorts(): { lo: number; hi: number } | undefined {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return lo && hi ? { lo, hi } : undefined;
  } catch {
    return undefined;
  }
}

interface Memory {
  rssKb: number;
  anonKb: number;
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: kb('VmRSS'), anonKb: kb('RssAnon') };
}

type Reading = Memory & { settled: boolean; waitedS: number };

/**
 * RSS once it has settled: two readings 2 s apart within 2 %, for at most 20 s (a measurement
 * loop; the last reading is returned, marked unsettled, when it does not settle).
 */
async function settledMemory(pid: number): Promise<Reading> {
  const t0 = Date.now();
  let prev = memoryOf(pid);
  for (;;) {
    await sleep(2_000);
    const cur = memoryOf(pid);
    const waitedS = (Date.now() - t0) / 1000;
    if (Math.abs(cur.rssKb - prev.rssKb) <= 0.02 * prev.rssKb) return { ...cur, settled: true, waitedS };
    if (Date.now() - t0 >= 20_000) return { ...cur, settled: false, waitedS };
    prev = cur;
  }
}

/** Sequence number of the session registry's KV stream: it moves with every registry write (bind, unbind, refresh). */
type WriteCounter = () => Promise<number>;

function registryWrites(bus: Bus): WriteCounter {
  const stream = `KV_${bus.names.bucket('sessions')}`;
  return async () => (await bus.jsm.streams.info(stream)).state.last_seq;
}

/** Waits until the registry has had no write for 2 s (at most 60 s). */
async function registryQuiet(writes: WriteCounter): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = await writes();
  let quietSince = Date.now();
  while (Date.now() - quietSince < 2_000 && Date.now() < deadline) {
    await sleep(500);
    const now = await writes();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
}

/**
 * Settled RSS taken while the session registry is quiet. The gateway's heartbeat rewrites every
 * session's registry entry in one burst (every 30 s: a third of the 90 s entry TTL), and the
 * garbage of a burst would land in whichever reading it overlaps; such a reading is taken again
 * (three attempts at most). With `gc`, a full GC is forced first.
 */
async function quietMemory(pid: number, writes: WriteCounter, gc: boolean): Promise<Reading & { disturbed: boolean }> {
  let r: (Reading & { disturbed: boolean }) | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    await registryQuiet(writes);
    const before = await writes();
    if (gc) process.kill(pid, 'SIGUSR2');
    const m = await settledMemory(pid);
    r = { ...m, disturbed: (await writes()) !== before };
    if (!r.disturbed) break;
  }
  return r!;
}

/** Settled RSS after the gateway's next full registry refresh (`sessions` writes), or undefined if none comes within 45 s. */
async function memoryAfterRefresh(pid: number, writes: WriteCounter, sessions: number): Promise<Reading | undefined> {
  const start = await writes();
  const deadline = Date.now() + 45_000;
  while ((await writes()) - start < sessions) {
    if (Date.now() > deadline) return undefined;
    await sleep(250);
  }
  await registryQuiet(writes);
  return settledMemory(pid);
}

/**
 * Node flags that let the bench ask the gateway for a full garbage collection (SIGUSR2), so that
 * live memory per session can be told from garbage the set-up left behind. Gateway code is
 * untouched: the handler is a snippet preloaded with --import. It uses the in-process inspector's
 * HeapProfiler.collectGarbage (V8's "collect all available garbage": repeated full GCs that also
 * give freed pages back), twice; plain gc() (--expose-gc) leaves freed pages mapped, so RSS
 * would not show what a GC frees.
 */
const GC_ON_SIGUSR2 = ['--import', `data:text/javascript,${encodeURIComponent([
  "import { Session } from 'node:inspector';",
  "process.on('SIGUSR2', () => {",
  '  const s = new Session();',
  '  s.connect();',
  // A post from inside another post's callback hangs the in-process session: hop through setImmediate.
  "  const gc = (left) => s.post('HeapProfiler.collectGarbage', () => setImmediate(() => (left > 1 ? gc(left - 1) : s.disconnect())));",
  '  gc(2);',
  '});',
].join('\n'))}`];

// ---- raw XMPP client ----------------------------------------------------------------------------

const STAGES = ['features', 'auth', 'features after auth', 'bind'] as const;

/**
 * Opens one session on a raw socket: stream header, features, SASL PLAIN, stream restart,
 * features, RFC 6120 bind. Matches strings in what arrives (no parser). Resolves with the socket
 * once the bind result is in; afterwards incoming data is dropped.
 */
function openSession(port: number, domain: string, user: string, resource: string): Promise<Socket> {
  const header = `<?xml version='1.0'?><stream:stream to='${domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`;
  const auth = `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${user}\0${PASSWORD}`).toString('base64')}</auth>`;
  const bind = `<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`;
  return new Promise((ok, fail) => {
    let stage = 0;
    let buf = '';
    let done = false;
    const s = connect({ port, host: '127.0.0.1', noDelay: true });
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.removeListener('data', onData);
      if (err) {
        s.destroy();
        fail(err);
      } else {
        s.on('data', () => undefined);
        ok(s);
      }
    };
    const timer = setTimeout(() => finish(new Error(`no answer at stage "${STAGES[stage]}" within ${SESSION_TIMEOUT_MS / 1000}s`)), SESSION_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      if (buf.includes('<stream:error') || buf.includes('</stream:stream>')) {
        return finish(new Error(`stream error at stage "${STAGES[stage]}": ${/<stream:error>(.*?)<\/stream:error>/s.exec(buf)?.[1] ?? buf.slice(-200)}`));
      }
      switch (stage) {
        case 0:
          if (!buf.includes('</stream:features>')) return;
          if (!buf.includes('>PLAIN<')) return finish(new Error('PLAIN not offered (is CONCORD_GATEWAY_PLAIN_WITHOUT_TLS on?)'));
          s.write(auth);
          break;
        case 1:
          if (buf.includes('<failure')) return finish(new Error(`SASL failure: ${buf.slice(-200)}`));
          if (!buf.includes('<success')) return;
          s.write(header);
          break;
        case 2:
          if (!buf.includes('</stream:features>')) return;
          s.write(bind);
          break;
        default:
          if (!buf.includes('</iq>') && !/<iq[^>]*\/>/.test(buf)) return;
          if (!/type=["']result["']/.test(buf)) return finish(new Error(`bind failed: ${buf.slice(-200)}`));
          return finish();
      }
      buf = '';
      stage++;
    };
    s.on('connect', () => s.write(header));
    s.on('data', onData);
    s.on('error', (err) => finish(err));
    s.on('close', () => finish(new Error(`connection closed at stage "${STAGES[stage]}"`)));
  });
}

interface SetUp {
  sockets: Socket[];
  latencies: number[];
  seconds: number;
  failures: Map<string, number>;
  stoppedEarly: string | undefined;
}

/** Opens `n` sessions with at most IN_FLIGHT in progress; stops early if the gateway dies or most attempts fail. */
async function openSessions(n: number, open: (i: number) => Promise<Socket>, gatewayAlive: () => boolean): Promise<SetUp> {
  const r: SetUp = { sockets: [], latencies: [], seconds: 0, failures: new Map(), stoppedEarly: undefined };
  let next = 0;
  let failed = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < n && r.stoppedEarly === undefined) {
      const i = next++;
      const s = process.hrtime.bigint();
      try {
        r.sockets.push(await open(i));
        r.latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
      } catch (err) {
        failed++;
        const key = (err as Error).message.slice(0, 160);
        r.failures.set(key, (r.failures.get(key) ?? 0) + 1);
        if (!gatewayAlive()) r.stoppedEarly = 'the gateway process exited';
        else if (failed >= 100 && failed > r.sockets.length) r.stoppedEarly = `${failed} failures against ${r.sockets.length} sessions`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n) }, worker));
  r.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return r;
}

// ---- sizing ---------------------------------------------------------------------------------------

/** How many sessions this machine allows, and why. */
function sessionCount(gatewayPid: number): { n: number; why: string } {
  const env = process.env['CONCORD_BENCH_SESSIONS'];
  const target = env ? Number(env) : TARGET_SESSIONS;
  if (!Number.isSafeInteger(target) || target < 1) throw new Error(`CONCORD_BENCH_SESSIONS must be a positive integer, got ${JSON.stringify(env)}`);
  const reasons = [`target ${target}${env ? ' (CONCORD_BENCH_SESSIONS)' : ''}`];
  let n = target;
  const own = fdLimit('self');
  const gw = fdLimit(gatewayPid);
  const fds = Math.min(own ?? Infinity, gw ?? Infinity);
  if (fds === Infinity) {
    reasons.push(own === undefined && gw === undefined ? 'open-file limit unknown (no /proc): not checked' : 'open-file limit unlimited');
  } else {
    const cap = Math.max(0, fds - FD_RESERVE);
    reasons.push(`open-file limit ${own ?? '?'} (bench) / ${gw ?? '?'} (gateway) allows ${cap} (${FD_RESERVE} kept free)`);
    if (cap < n) {
      n = cap;
      reasons.push('capped by the open-file limit: raise `ulimit -n` for more');
    }
  }
  const range = ephemeralPorts();
  if (range) {
    const cap = Math.max(0, range.hi - range.lo + 1 - PORT_RESERVE);
    reasons.push(`ephemeral ports ${range.lo}-${range.hi} allow ${cap} (${PORT_RESERVE} kept free)`);
    if (cap < n) {
      n = cap;
      reasons.push('capped by the ephemeral port range (net.ipv4.ip_local_port_range)');
    }
  }
  if (n < 1) throw new Error(`no sessions possible: ${reasons.join('; ')}`);
  return { n, why: reasons.join('; ') };
}

/** CPU time of one PLAIN verification on the server: PBKDF2-HMAC-SHA-256, 4096 iterations. */
function pbkdf2Ms(): number {
  const salt = randomBytes(16);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 50; i++) pbkdf2Sync('bench-password-1', salt, 4096, 32, 'sha256');
  return Number(process.hrtime.bigint() - t0) / 1e6 / 50;
}

const mb = (kb: number) => (kb / 1024).toFixed(1);

// ---- the benchmark -------------------------------------------------------------------------------

export async function benchGateway(c: CommonConfig): Promise<Row[]> {
  await migrate(cassandraSettings(c), c.cassandraKeyspace, parseReplication('SimpleStrategy:1'));
  const client = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
  const children: Child[] = [];
  const buses: Bus[] = [];
  let sockets: Socket[] = [];
  try {
    const [tcp, tls, ws, gwHttp, routerHttp] = await freePorts(5) as [number, number, number, number, number];
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
      CONCORD_GATEWAY_PLAIN_WITHOUT_TLS: 'true',
      CONCORD_GATEWAY_MAX_CONNECTIONS_PER_IP: '100000',
      CONCORD_GATEWAY_AUTH_FAILURES_PER_IP: '1000000',
      CONCORD_GATEWAY_AUTH_FAILURES_PER_ACCOUNT: '1000000',
    };
    const gateway = startService('gateway', env, GC_ON_SIGUSR2);
    children.push(gateway);
    const router = startService('router', env);
    children.push(router);
    await Promise.all([waitReady(gateway, gwHttp), waitReady(router, routerHttp)]);
    const linesAtReady = gateway.lines();
    let gatewayExit: number | string | undefined;
    void gateway.exited.then((e) => (gatewayExit = e));

    const { n, why } = sessionCount(gateway.pid);
    out(`${n} sessions: ${why}`);
    const accounts = Math.min(MAX_ACCOUNTS, n);
    const perAccount = Math.ceil(n / accounts);
    const store = new AccountStore(client);
    const created = await runConcurrent(accounts, 16, async (i) => {
      if (!await store.create({ jid: `b${i}@${c.domain}`, credentials: deriveAllCredentials(PASSWORD), createdAt: new Date(), admin: false, disabled: false })) {
        throw new Error(`account b${i}@${c.domain} already exists in a fresh keyspace`);
      }
    });
    out(`${accounts} accounts created in ${created.seconds.toFixed(1)}s (SCRAM-SHA-256 + SCRAM-SHA-1, 4096 iterations); up to ${perAccount} resources each`);
    const pbkdf2 = pbkdf2Ms();
    const cores = cpus().length;
    out(`one PLAIN login costs the gateway a PBKDF2-HMAC-SHA-256 x4096: ${pbkdf2.toFixed(2)} ms of CPU here, so at most ~${Math.round(cores * 1000 / pbkdf2)} logins/s on ${cores} cores`);

    const bus = await Bus.connect({ servers: c.natsUrls, name: 'bench', prefix: c.busPrefix, log: createLogger('bench', 'warn') });
    buses.push(bus);
    const writes = registryWrites(bus);
    const base = await quietMemory(gateway.pid, writes, false);
    const baseGc = await quietMemory(gateway.pid, writes, true);
    out(`RSS with 0 sessions: ${mb(base.rssKb)} MB, ${mb(baseGc.rssKb)} MB after a forced full GC`);
    const cpu0 = (cpuSecondsOf(gateway.pid) ?? NaN);
    const setUp = await openSessions(n, (i) => openSession(tcp, c.domain, `b${i % accounts}`, `r${Math.floor(i / accounts)}`), () => gatewayExit === undefined);
    sockets = setUp.sockets;
    const cpuSetUp = gatewayExit === undefined ? (cpuSecondsOf(gateway.pid) ?? NaN) - cpu0 : NaN;
    for (const [msg, count] of setUp.failures) out(`${count} session(s) failed: ${msg}`);
    if (gatewayExit !== undefined) throw new Error(`the gateway exited (${gatewayExit}) with ${sockets.length} sessions open:\n${gateway.tail()}`);
    if (setUp.stoppedEarly) throw new Error(`stopped opening sessions: ${setUp.stoppedEarly}`);
    const bound = sockets.length;
    out(`${bound} sessions bound in ${setUp.seconds.toFixed(1)}s; gateway CPU ${cpuSetUp.toFixed(1)} s (${(cpuSetUp * 1000 / bound).toFixed(2)} ms per session)`);

    let dropped = 0;
    for (const s of sockets) s.once('close', () => dropped++);
    const perSession = (r: Reading, from: Reading) => (r.rssKb - from.rssKb) / bound;
    const unsettled = (r: Reading & { disturbed?: boolean }) => `${r.settled ? '' : ', unsettled after 20 s'}${r.disturbed ? ', overlapped a registry refresh' : ''}`;
    // 1. As found once the set-up is over, 2. after the next registry refresh, 3. live memory after a full GC.
    const idle = await quietMemory(gateway.pid, writes, false);
    out(`RSS with ${bound} idle sessions: ${mb(idle.rssKb)} MB${unsettled(idle)}; ${perSession(idle, base).toFixed(1)} KB per session (anonymous memory: ${((idle.anonKb - base.anonKb) / bound).toFixed(1)} KB)`);
    const refreshed = await memoryAfterRefresh(gateway.pid, writes, bound);
    if (refreshed) out(`RSS after the gateway's next registry refresh (${bound} KV writes in one burst): ${mb(refreshed.rssKb)} MB${unsettled(refreshed)}; ${perSession(refreshed, base).toFixed(1)} KB per session`);
    else out('no registry refresh within 45 s; that reading is left out');
    const live = await quietMemory(gateway.pid, writes, true);
    out(`RSS after a forced full GC: ${mb(live.rssKb)} MB${unsettled(live)}; ${perSession(live, baseGc).toFixed(1)} KB per session (both readings after a full GC)`);
    if (dropped > 0) out(`${dropped} sessions were closed by the gateway while idle`);
    const logged = gateway.lines() - linesAtReady;
    if (logged > 0) out(`the gateway wrote ${logged} log lines at warn or above during the run; last ones:\n${gateway.tail().split('\n').slice(-6).join('\n')}`);

    const sorted = [...setUp.latencies].sort((a, b) => a - b);
    const failed = [...setUp.failures.values()].reduce((a, b) => a + b, 0);
    const memoryRow = (bench: string, r: Reading & { disturbed?: boolean }, from: Reading, note: string): Row => ({
      bench, ops: bound, seconds: 0, value: `${perSession(r, from).toFixed(1)} KB`,
      note: `${note}; VmRSS ${mb(from.rssKb)} -> ${mb(r.rssKb)} MB${unsettled(r)}${dropped ? `; ${dropped} sessions dropped while idle` : ''}` +
        (bound < 2_000 ? '; too few sessions: heap noise dominates' : ''),
    });
    return [
      {
        bench: `gateway: connect + PLAIN auth + bind, ${IN_FLIGHT} in flight`,
        ops: bound, seconds: setUp.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99),
        note: `plain TCP (no TLS); PBKDF2-SHA-256 x4096 per login (${pbkdf2.toFixed(1)} ms CPU); gateway CPU ${(cpuSetUp * 1000 / bound).toFixed(1)} ms/session; ${accounts} accounts x ${perAccount} resources${failed ? `; ${failed} failed` : ''}`,
      },
      memoryRow('gateway: RSS per idle session, after set-up', idle, base, 'target <= 20 KB; no GC forced'),
      ...(refreshed ? [memoryRow('gateway: RSS per idle session, after registry refresh', refreshed, base, 'no GC forced; heartbeat rewrites every registry entry each 30 s')] : []),
      memoryRow('gateway: RSS per idle session, after full GC', live, baseGc, 'live memory: full GC forced (SIGUSR2) before both readings'),
    ];
  } finally {
    for (const s of sockets) s.destroy();
    for (const child of children.reverse()) {
      const how = await stopService(child);
      if (!how.startsWith('exited 0')) out(`${child.name} ${how}${child.tail() ? `; last output:\n${child.tail().split('\n').slice(-6).join('\n')}` : ''}`);
    }
    await client.execute(`DROP KEYSPACE IF EXISTS ${c.cassandraKeyspace}`).catch((err: Error) => out(`could not drop keyspace ${c.cassandraKeyspace}: ${err.message}`));
    await client.shutdown();
    try {
      if (buses.length === 0) buses.push(await Bus.connect({ servers: c.natsUrls, name: 'bench', prefix: c.busPrefix, log: createLogger('bench', 'warn') }));
      await deleteBus(buses[0]!);
    } catch (err) {
      out(`could not delete the bus streams of ${c.busPrefix}: ${(err as Error).message}`);
    } finally {
      await Promise.all(buses.map((b) => b.close()));
    }
  }
}
