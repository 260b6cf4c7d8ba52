/**
 * The suite's own stack: a nats-server and a durable Cassandra under the suite's state folder
 * (never the shared ones), started with infra's tooling, and the five services of one run as
 * separate processes on a fresh bus prefix and keyspace. Every part can be signalled and
 * brought back the way an operator would.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { deleteBus, startService, stopService, waitReady, type Child, type ServiceName } from '@concord/bench/dist/children';
import { Bus } from '@concord/bus';
import { readConfig } from '@concord/config';
import { cassandraAnswers, cassandraManaged, startCassandra, stopCassandra } from '@concord/infra/dist/cassandra';
import { natsAnswers, natsManaged, startNats, stopNats } from '@concord/infra/dist/nats';
import { stateDir } from '@concord/infra/dist/paths';
import { portOpen, runningPid } from '@concord/infra/dist/proc';
import { applyMigrations } from '@concord/infra/dist/stack';
import { readStackConfig, serviceEnv, type StackConfig } from '@concord/infra/dist/stack-config';
import { createLogger } from '@concord/log';
import { cassandraSettings, commonSpec, httpPortEnv, type CommonConfig } from '@concord/runtime';
import { deriveAllCredentials } from '@concord/sasl';
import { AccountStore, ArchiveStore, connectCassandra } from '@concord/storage';

export type Part = 'nats' | 'cassandra';
export const SERVICES: ServiceName[] = ['gateway', 'router', 'archive', 'presence', 'push'];

/** nats-server and Cassandra of the suite, on free ports, with fsync (CONCORD_CASSANDRA_UNSAFE_FAST=false). */
export class SuiteStack {
  private constructor(readonly cfg: StackConfig) {}

  static async up(): Promise<SuiteStack> {
    const [nats, monitor, cql, storage] = await listenPorts(4);
    const cfg = readStackConfig({
      ...process.env,
      CONCORD_NATS_PORT: String(nats), CONCORD_NATS_MONITOR_PORT: String(monitor),
      CONCORD_CASSANDRA_PORT: String(cql), CONCORD_CASSANDRA_STORAGE_PORT: String(storage),
      CONCORD_CASSANDRA_UNSAFE_FAST: 'false',
    });
    claimStateDir();
    // Left over from an interrupted run of the suite (its own state folder: never anyone else's).
    await Promise.all([stopNats(), stopCassandra()]);
    const stack = new SuiteStack(cfg);
    await Promise.all([startNats(cfg), startCassandra(cfg)]);
    return stack;
  }

  pid(part: Part): number {
    const pid = runningPid(part === 'nats' ? natsManaged() : cassandraManaged());
    if (pid === undefined) throw new Error(`${part} is not running`);
    return pid;
  }

  signal(part: Part, signal: NodeJS.Signals): void {
    process.kill(this.pid(part), signal);
  }

  /**
   * SIGKILL, resolved once the process is gone and its port refuses connections: a killed
   * process's leader can be a zombie while its other threads still hold the listening socket.
   */
  async kill(part: Part): Promise<void> {
    const m = part === 'nats' ? natsManaged() : cassandraManaged();
    const port = part === 'nats' ? this.cfg.natsPort : this.cfg.cassandraPort;
    process.kill(this.pid(part), 'SIGKILL');
    await until(async () => runningPid(m) === undefined && !(await portOpen(port)), 30_000, `${part} to die`);
  }

  /** Starts it again on the same ports and data; resolves once it answers (JetStream API, CQL). */
  async restart(part: Part): Promise<void> {
    if (part === 'nats') await startNats(this.cfg);
    else await startCassandra(this.cfg);
  }

  /** After SIGCONT: resolves once it answers again. */
  async answers(part: Part): Promise<void> {
    const probe = part === 'nats' ? () => natsAnswers(this.cfg.natsPort) : () => cassandraAnswers(this.cfg.cassandraPort);
    await until(() => probe().catch(() => false), 120_000, `${part} to answer`);
  }

  /** After a run that broke half-way: nothing left stopped or dead for the next one. */
  async heal(): Promise<void> {
    for (const part of ['nats', 'cassandra'] as const) {
      const pid = runningPid(part === 'nats' ? natsManaged() : cassandraManaged());
      if (pid === undefined) await this.restart(part);
      else process.kill(pid, 'SIGCONT');
    }
  }

  async down(): Promise<void> {
    await this.heal().catch(() => undefined);
    await Promise.all([stopNats(), stopCassandra()]);
    rmSync(join(stateDir(), 'suite.pid'), { force: true });
  }

  env(): NodeJS.ProcessEnv {
    return serviceEnv(this.cfg, { ...process.env, CONCORD_NATS_URL: '', CONCORD_CASSANDRA_CONTACT_POINTS: '' });
  }
}

/** The services of one run: own bus prefix and keyspace, own ports, logs in the state folder. */
export class RunServices {
  private readonly children = new Map<ServiceName, Child>();
  private readonly expectedExit = new Set<ServiceName>();
  /** Things that went wrong on the side (a service that died on its own). */
  readonly problems: string[] = [];

  private constructor(readonly name: string, readonly env: NodeJS.ProcessEnv, readonly common: CommonConfig, readonly xmppPort: number, readonly logDir: string) {}

  static async start(stack: SuiteStack, name: string): Promise<RunServices> {
    const [tcp, tls, ws, ...http] = await listenPorts(3 + SERVICES.length);
    const env: NodeJS.ProcessEnv = {
      ...stack.env(),
      CONCORD_BUS_PREFIX: name,
      CONCORD_CASSANDRA_KEYSPACE: name,
      CONCORD_NODE_ID: `gw-${name}`,
      CONCORD_LOG_LEVEL: process.env['CONCORD_FAULTS_LOG_LEVEL'] || 'info',
      CONCORD_GATEWAY_HOST: '127.0.0.1',
      CONCORD_GATEWAY_TCP_PORT: String(tcp),
      CONCORD_GATEWAY_TLS_PORT: String(tls),
      CONCORD_GATEWAY_WS_PORT: String(ws),
      CONCORD_ARCHIVE_GRPC_PORT: '0',
      // A re-sent backlog after a resume is not the excess a rate limit is for.
      CONCORD_GATEWAY_STANZAS_PER_SECOND: '10000',
      CONCORD_GATEWAY_BYTES_PER_SECOND: '100000000',
      ...Object.fromEntries(SERVICES.map((s, i) => [httpPortEnv(s), String(http[i])])),
    };
    await applyMigrations(stack.cfg, env);
    const logDir = join(stateDir(), 'logs', name);
    mkdirSync(logDir, { recursive: true });
    const run = new RunServices(name, env, readConfig(commonSpec, env), tcp!, logDir);
    await Promise.all(SERVICES.map((s) => run.restart(s)));
    return run;
  }

  /** Starts the service (again: same node id, same ports) and waits for its /readyz. */
  async restart(service: ServiceName, ready = true): Promise<void> {
    this.spawn(service);
    if (ready) await this.ready(service);
  }

  spawn(service: ServiceName): void {
    const child = startService(service, this.env, ['--enable-source-maps']);
    const log = createWriteStream(join(this.logDir, `${service}.log`), { flags: 'a' });
    child.proc.stdout!.pipe(log);
    child.proc.stderr!.pipe(log);
    this.expectedExit.delete(service);
    void child.exited.then((how) => {
      if (!this.expectedExit.has(service) && this.children.get(service) === child) this.problems.push(`${service} exited on its own (${how})`);
    });
    this.children.set(service, child);
  }

  ready(service: ServiceName): Promise<void> {
    return waitReady(this.child(service), Number(this.env[httpPortEnv(service)]));
  }

  /** Sends the signal; for SIGKILL resolves once the process is gone. */
  async signal(service: ServiceName, signal: NodeJS.Signals): Promise<void> {
    const child = this.child(service);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.expectedExit.add(service);
    child.proc.kill(signal);
    if (signal === 'SIGKILL') await child.exited;
  }

  /** SIGTERM and the milliseconds until the process exited (SIGKILL after 30 s). */
  async terminate(service: ServiceName): Promise<{ ms: number; how: string }> {
    this.expectedExit.add(service);
    const t0 = Date.now();
    const how = await stopService(this.child(service));
    return { ms: Date.now() - t0, how };
  }

  async addAccounts(locals: string[], password: string): Promise<void> {
    const client = await connectCassandra({ ...cassandraSettings(this.common), keyspace: this.common.cassandraKeyspace });
    try {
      const store = new AccountStore(client);
      const credentials = deriveAllCredentials(password);
      for (const local of locals) await store.create({ jid: `${local}@${this.common.domain}`, credentials, createdAt: new Date(), admin: false, disabled: false });
    } finally {
      await client.shutdown();
    }
  }

  /** An account's archive as the table holds it (origin-id → rows), to check what MAM answers against. */
  async stored(owner: string): Promise<Map<string, number>> {
    const client = await connectCassandra({ ...cassandraSettings(this.common), keyspace: this.common.cassandraKeyspace });
    try {
      const rows = new Map<string, number>();
      for await (const r of new ArchiveStore(client).all(owner)) rows.set(r.originId, (rows.get(r.originId) ?? 0) + 1);
      return rows;
    } finally {
      await client.shutdown();
    }
  }

  /** Stops every service, then deletes the run's keyspace and streams. */
  async stop(): Promise<void> {
    for (const s of [...SERVICES].reverse()) {
      const child = this.children.get(s);
      if (!child) continue;
      this.expectedExit.add(s);
      await stopService(child);
    }
    const client = await connectCassandra(cassandraSettings(this.common)).catch(() => undefined);
    await client?.execute(`DROP KEYSPACE IF EXISTS ${this.common.cassandraKeyspace}`).catch(() => undefined);
    await client?.shutdown();
    const bus = await Bus.connect({ servers: this.common.natsUrls, name: 'faults', prefix: this.name, log: createLogger('faults', 'warn') }).catch(() => undefined);
    if (bus) await deleteBus(bus).catch(() => undefined).finally(() => bus.close());
  }

  private child(service: ServiceName): Child {
    const c = this.children.get(service);
    if (!c) throw new Error(`${service} was never started`);
    return c;
  }
}

/** One suite per state folder: a second one would stop the first one's nats-server and Cassandra as leftovers. */
function claimStateDir(): void {
  const file = join(stateDir(), 'suite.pid');
  const other = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
  const alive = other > 0 && other !== process.pid && existsSync(`/proc/${other}/cmdline`) && readFileSync(`/proc/${other}/cmdline`, 'utf8').includes(process.argv[1]!);
  if (alive) throw new Error(`another fault suite (pid ${other}) is running on ${stateDir()}`);
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(file, `${process.pid}\n`);
}

/**
 * Free ports below the kernel's ephemeral range. A client that reconnects to a port inside that
 * range while nothing listens there can be given that same port as its source and connect to
 * itself (TCP self-connect): the services then "reconnected" to a nats-server that was dead.
 */
async function listenPorts(n: number): Promise<number[]> {
  const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  const out: number[] = [];
  while (out.length < n) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (!out.includes(port) && (await canListen(port))) out.push(port);
  }
  return out;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Resolves once `check` holds; for states that have no event to wait on (a process gone, a port answering). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
