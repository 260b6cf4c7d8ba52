/**
 * Gateway benchmark: many concurrent authenticated idle sessions against a real gateway process
 * (and a router, so the deployment is the usual one), with the gateway's RSS per idle session
 * and the connection set-up rate. Clients are raw sockets in this process (a client library
 * would dominate memory and CPU); they speak plain TCP with SASL PLAIN, so TLS is not measured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Bus } from '@concord/bus';
import { createLogger } from '@concord/log';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { deriveAllCredentials } from '@concord/sasl';
import { AccountStore, connectCassandra, migrate, parseReplication } from '@concord/storage';
import { percentile, runConcurrent, type Row } from './stats';

const ROOT = resolve(__dirname, '..', '..', '..');
const TARGET_SESSIONS = 10_000;
const MAX_ACCOUNTS = 500;
const IN_FLIGHT = 200;
/** File descriptors kept free in each process for everything that is not a client connection. */
const FD_RESERVE = 500;
/** Ephemeral ports kept free for the rest of the machine. */
const PORT_RESERVE = 1_000;
const PASSWORD = 'bench-password-1';
const SESSION_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

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
  hwmKb: number;
  anonKb: number;
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), anonKb: kb('RssAnon') };
}

/** User + system CPU seconds of a process (clock ticks at the usual 100 Hz). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * RSS once it has settled: two readings 2 s apart within 2 %, for at most 20 s (a measurement
 * loop; the last reading is returned, marked unsettled, when it does not settle).
 */
async function settledMemory(pid: number): Promise<Memory & { settled: boolean; waitedS: number }> {
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

// ---- child processes ---------------------------------------------------------------------------

/** Free TCP ports on 127.0.0.1, all distinct (the probe servers are held open together). */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((ok, fail) => s.once('error', fail).listen(0, '127.0.0.1', ok));
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  exited: Promise<number | string>;
  /** Last output of the child (stdout and stderr) and how many lines it wrote. */
  tail(): string;
  lines(): number;
}

function startService(name: 'gateway' | 'router', env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, [resolve(ROOT, 'services', name, 'dist', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let lines = 0;
  const keep = (d: Buffer) => {
    const text = d.toString('utf8');
    lines += text.split('\n').length - 1;
    tail = (tail + text).slice(-4_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | string>((r) => proc.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
  if (proc.pid === undefined) throw new Error(`could not start the ${name}`);
  return { name, proc, pid: proc.pid, exited, tail: () => tail, lines: () => lines };
}

function httpStatus(url: string): Promise<number> {
  return new Promise((ok) => {
    const req = get(url, { agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => ok(0));
  });
}

/** Polls /readyz until 200; fails with the child's output if it exits or the timeout passes. */
async function waitReady(child: Child, httpPort: number): Promise<void> {
  const url = `http://127.0.0.1:${httpPort}/readyz`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exit: number | string | undefined;
  void child.exited.then((e) => (exit = e));
  for (;;) {
    if (exit !== undefined) throw new Error(`the ${child.name} exited (${exit}) before it was ready:\n${child.tail()}`);
    const status = await httpStatus(url);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the ${child.name} was not ready within ${READY_TIMEOUT_MS / 1000}s (${url} answered ${status || 'nothing'}):\n${child.tail()}`);
    await sleep(200);
  }
}

/** SIGTERM, then SIGKILL if it has not exited in time; returns how it ended. */
async function stopService(child: Child): Promise<string> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return `had already exited (${child.proc.exitCode ?? child.proc.signalCode})`;
  child.proc.kill('SIGTERM');
  const timer = sleep(STOP_TIMEOUT_MS, 'timeout' as const);
  const how = await Promise.race([child.exited, timer]);
  if (how !== 'timeout') return `exited ${how}`;
  child.proc.kill('SIGKILL');
  await child.exited;
  return `did not exit within ${STOP_TIMEOUT_MS / 1000}s of SIGTERM; killed`;
}

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

/** Deletes every stream and KV bucket of this run's bus prefix (services create them at start). */
async function deleteBus(c: CommonConfig): Promise<void> {
  const bus = await Bus.connect({ servers: c.natsUrls, name: 'bench-cleanup', prefix: c.busPrefix, log: createLogger('bench', 'warn') });
  try {
    const names: string[] = [];
    for await (const name of bus.jsm.streams.names()) {
      if (name.startsWith(`${c.busPrefix.toUpperCase()}_`) || name.startsWith(`KV_${c.busPrefix}_`)) names.push(name);
    }
    for (const name of names) await bus.jsm.streams.delete(name);
  } finally {
    await bus.close();
  }
}

const mb = (kb: number) => (kb / 1024).toFixed(1);

// ---- the benchmark -------------------------------------------------------------------------------

export async function benchGateway(c: CommonConfig): Promise<Row[]> {
  await migrate(cassandraSettings(c), c.cassandraKeyspace, parseReplication('SimpleStrategy:1'));
  const client = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
  const children: Child[] = [];
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
    const gateway = startService('gateway', env);
    children.push(gateway);
    const router = startService('router', env);
    children.push(router);
    await Promise.all([waitReady(gateway, gwHttp), waitReady(router, routerHttp)]);
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

    const base = await settledMemory(gateway.pid);
    out(`RSS with 0 sessions: ${mb(base.rssKb)} MB${base.settled ? '' : ' (still moving after 20 s)'}`);
    const cpu0 = cpuSecondsOf(gateway.pid);
    const setUp = await openSessions(n, (i) => openSession(tcp, c.domain, `b${i % accounts}`, `r${Math.floor(i / accounts)}`), () => gatewayExit === undefined);
    sockets = setUp.sockets;
    const cpuSetUp = gatewayExit === undefined ? cpuSecondsOf(gateway.pid) - cpu0 : NaN;
    for (const [msg, count] of setUp.failures) out(`${count} session(s) failed: ${msg}`);
    if (gatewayExit !== undefined) throw new Error(`the gateway exited (${gatewayExit}) with ${sockets.length} sessions open:\n${gateway.tail()}`);
    if (setUp.stoppedEarly) throw new Error(`stopped opening sessions: ${setUp.stoppedEarly}`);
    const bound = sockets.length;
    out(`${bound} sessions bound in ${setUp.seconds.toFixed(1)}s; gateway CPU ${cpuSetUp.toFixed(1)} s (${(cpuSetUp * 1000 / bound).toFixed(2)} ms per session)`);

    let dropped = 0;
    for (const s of sockets) s.once('close', () => dropped++);
    const idle = await settledMemory(gateway.pid);
    const perSessionKb = (idle.rssKb - base.rssKb) / bound;
    const anonPerSessionKb = (idle.anonKb - base.anonKb) / bound;
    out(`RSS with ${bound} idle sessions: ${mb(idle.rssKb)} MB after ${idle.waitedS.toFixed(0)} s${idle.settled ? '' : ' (still moving after 20 s)'}; peak ${mb(idle.hwmKb)} MB; ` +
      `${perSessionKb.toFixed(1)} KB per session (anonymous memory: ${anonPerSessionKb.toFixed(1)} KB)`);
    if (dropped > 0) out(`${dropped} sessions were closed by the gateway while idle`);
    if (gateway.lines() > 0) out(`the gateway wrote ${gateway.lines()} log lines at warn or above; last ones:\n${gateway.tail().split('\n').slice(-6).join('\n')}`);

    const sorted = [...setUp.latencies].sort((a, b) => a - b);
    const failed = [...setUp.failures.values()].reduce((a, b) => a + b, 0);
    return [
      {
        bench: `gateway: connect + PLAIN auth + bind, ${IN_FLIGHT} in flight`,
        ops: bound, seconds: setUp.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99),
        note: `plain TCP (no TLS); PBKDF2-SHA-256 x4096 per login (${pbkdf2.toFixed(1)} ms CPU); ${accounts} accounts x ${perAccount} resources${failed ? `; ${failed} failed` : ''}`,
      },
      {
        bench: `gateway: RSS per idle session, ${bound} sessions`,
        ops: bound, seconds: 0,
        value: `${perSessionKb.toFixed(1)} KB`,
        note: `target <= 20 KB; VmRSS ${mb(base.rssKb)} -> ${mb(idle.rssKb)} MB${idle.settled ? '' : ' (unsettled)'}, peak ${mb(idle.hwmKb)} MB${dropped ? `; ${dropped} dropped while idle` : ''}`,
      },
    ];
  } finally {
    for (const s of sockets) s.destroy();
    for (const child of children.reverse()) {
      const how = await stopService(child);
      if (!how.startsWith('exited 0')) out(`${child.name} ${how}${child.tail() ? `; last output:\n${child.tail().split('\n').slice(-6).join('\n')}` : ''}`);
    }
    await client.execute(`DROP KEYSPACE IF EXISTS ${c.cassandraKeyspace}`).catch((err: Error) => out(`could not drop keyspace ${c.cassandraKeyspace}: ${err.message}`));
    await client.shutdown();
    await deleteBus(c).catch((err: Error) => out(`could not delete the bus streams of ${c.busPrefix}: ${err.message}`));
  }
}
