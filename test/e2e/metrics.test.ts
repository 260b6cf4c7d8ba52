/**
 * Every service, as its own process, exposes its metrics on /metrics: after alice.laptop
 * sends messages to bob.desktop, each scrape shows what the messages did there. bob.phone
 * enabled push (an app server webhook on a real HTTP server) and went away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Bus } from '@concord/bus';
import { createLogger } from '@concord/log';
import { SessionRegistry } from '@concord/registry';
import { cassandraSettings, httpPortEnv, type ServiceName } from '@concord/runtime';
import { deriveAllCredentials } from '@concord/sasl';
import { AccountStore, connectCassandra } from '@concord/storage';
import { NS } from '@concord/xmpp';
import { ClientDriver } from '../support/driver';
import { PushAppServer } from '../support/push-app-server';
import { freePort } from '../support/processes';
import { createKeyspace, dropBus, dropKeyspace, eventually, requireStack, testConfig, uniqueName } from '../support/stack';

/** Started in this order (the gateway last, so that push is there for its first probe). */
const SERVICES: ServiceName[] = ['router', 'archive', 'presence', 'push', 'gateway'];
const MESSAGES = 3;
const APP = 'push.example.net';

interface Sample { name: string; labels: Record<string, string>; value: number }

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none yet). */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

function has(samples: Sample[], name: string): boolean {
  return samples.some((s) => s.name === name);
}

describe('metrics of every service', () => {
  requireStack();
  const name = uniqueName('metrics');
  const cfg = testConfig(name);
  const httpPorts = {} as Record<ServiceName, number>;
  const children: ChildProcess[] = [];
  let tcpPort: number;
  let laptop: ClientDriver;
  let desktop: ClientDriver;
  let phone: ClientDriver;
  let app: PushAppServer;

  const scrape = async (service: ServiceName): Promise<Sample[]> => {
    const res = await fetch(`http://127.0.0.1:${httpPorts[service]}/metrics`);
    expect(res.status).toBe(200);
    return parseExposition(await res.text());
  };

  const spawnService = async (service: ServiceName, env: Record<string, string | undefined>): Promise<void> => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'services', service, 'dist', 'main.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${service} exited: ${stderr}`);
      return await fetch(`http://127.0.0.1:${httpPorts[service]}/readyz`).then((r) => (r.ok ? true : undefined), () => undefined);
    }, 30_000, `the ${service} process`);
  };

  beforeAll(async () => {
    await createKeyspace(cfg);
    app = await PushAppServer.start();
    for (const s of SERVICES) httpPorts[s] = await freePort();
    const [tcp, tls, ws, grpc] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    tcpPort = tcp;
    const env: Record<string, string | undefined> = {
      ...process.env,
      CONCORD_BUS_PREFIX: name,
      CONCORD_CASSANDRA_KEYSPACE: name,
      CONCORD_LOG_LEVEL: 'warn',
      CONCORD_NODE_ID: `gw-${name.slice(-8)}`,
      CONCORD_GATEWAY_TCP_PORT: String(tcp),
      CONCORD_GATEWAY_TLS_PORT: String(tls),
      CONCORD_GATEWAY_WS_PORT: String(ws),
      CONCORD_ARCHIVE_GRPC_PORT: String(grpc),
      CONCORD_PUSH_APP_SERVERS: `${APP}=${app.url}`,
      ...Object.fromEntries(SERVICES.map((s) => [httpPortEnv(s), String(httpPorts[s])])),
    };
    for (const s of SERVICES) await spawnService(s, env);
    const client = await connectCassandra({ ...cassandraSettings(cfg), keyspace: cfg.cassandraKeyspace });
    try {
      const accounts = new AccountStore(client);
      for (const [local, password] of [['alice', 'alice-secret'], ['bob', 'bob-secret']] as const) {
        await accounts.create({ jid: `${local}@${cfg.domain}`, credentials: deriveAllCredentials(password), createdAt: new Date(), admin: false, disabled: false });
      }
    } finally {
      await client.shutdown();
    }
    const online = async (actor: string, username: string, password: string) => {
      const driver = ClientDriver.xmppjs(actor);
      await driver.ok('start', { service: `xmpp://127.0.0.1:${tcpPort}`, domain: cfg.domain, username, password });
      return driver;
    };
    laptop = await online('alice.laptop', 'alice', 'alice-secret');
    desktop = await online('bob.desktop', 'bob', 'bob-secret');
    phone = await online('bob.phone', 'bob', 'bob-secret');
    await phone.ok('iq', { xml: `<iq type='set'><enable xmlns='${NS.push}' jid='${APP}' node='bob-phone'/></iq>` });
    await phone.ok('stop');
    const bus = await Bus.connect({ servers: cfg.natsUrls, name: 'metrics-test', prefix: name, log: createLogger('test', 'warn') });
    try {
      const registry = new SessionRegistry(await bus.kv('sessions'));
      await eventually(async () => ((await registry.ofAccount(`bob@${cfg.domain}`)).length === 1 ? true : undefined), 10_000, 'bob.phone to leave the registry');
    } finally {
      await bus.close();
    }
  }, 120_000);

  afterAll(async () => {
    await laptop?.kill();
    await desktop?.kill();
    await phone?.kill(); // its session ended in beforeAll; its driver process still runs
    // SIGTERM: each service drains and flushes as in production; the gateway last started, first stopped.
    for (const child of children.reverse()) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await dropBus(cfg);
    await dropKeyspace(cfg);
    await app?.close();
  }, 60_000);

  it('after messages, each /metrics shows them: stanzas, acks, routing, archive writes, push, lag', async () => {
    const before = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await scrape(s)] as const))) as Record<ServiceName, Sample[]>;
    for (let i = 1; i <= MESSAGES; i++) {
      await laptop.ok('send', { xml: `<message to='bob@${cfg.domain}' type='chat' id='m${i}'><body>hello ${i}</body></message>` });
      await laptop.waitFor((e) => e.event === 'ack' && (e.xml ?? '').includes(`id="m${i}"`), 15_000, `the ack of m${i}`);
      await desktop.waitFor((e) => e.event === 'element' && (e.xml ?? '').includes(`hello ${i}`), 15_000, `m${i} at bob.desktop`);
    }
    const grew = (s: ServiceName, metric: string, labels: Record<string, string>, after: Sample[]) => total(after, metric, labels) - total(before[s], metric, labels);

    const gateway = await scrape('gateway');
    expect(grew('gateway', 'concord_gateway_ack_duration_seconds_count', { stanza: 'message' }, gateway)).toBe(MESSAGES);
    expect(grew('gateway', 'concord_gateway_ack_duration_seconds_sum', { stanza: 'message' }, gateway)).toBeGreaterThan(0);
    expect(grew('gateway', 'concord_gateway_stanzas_in_total', { stanza: 'message', verdict: 'route' }, gateway)).toBe(MESSAGES);
    expect(grew('gateway', 'concord_gateway_deliveries_total', {}, gateway)).toBeGreaterThanOrEqual(MESSAGES);
    expect(total(gateway, 'concord_gateway_connections')).toBe(2);
    expect(total(gateway, 'concord_gateway_sessions')).toBe(2);
    expect(total(gateway, 'concord_gateway_csi_held_stanzas')).toBe(0);
    expect(has(gateway, 'concord_gateway_csi_inactive_sessions')).toBe(true);
    expect(has(gateway, 'concord_gateway_csi_queue_peak')).toBe(true);

    const router = await scrape('router');
    expect(grew('router', 'concord_router_messages_total', { persistence: 'persistent', urgency: 'urgent', outcome: 'archive-commits' }, router)).toBe(MESSAGES);

    // Two rows a message: the sender's copy and the recipient's.
    const archive = await scrape('archive');
    expect(grew('archive', 'concord_archive_write_duration_seconds_count', { kind: 'message', result: 'written' }, archive)).toBe(2 * MESSAGES);

    // A chat message with a body is urgent: each wakes bob.phone, which is away.
    // The summary counts the notifications since the device's last login (XEP-0357 message-count).
    await app.waitFor((c) => c.body.node === 'bob-phone' && c.status === 200 && c.body.summary['message-count'] === MESSAGES, `the push of message ${MESSAGES} to bob.phone`);
    const push = await eventually(async () => {
      const p = await scrape('push');
      return grew('push', 'concord_push_notifications_total', { outcome: 'delivered', transport: 'webhook' }, p) >= MESSAGES ? p : undefined;
    }, 10_000, 'the push notifications on /metrics');
    expect(grew('push', 'concord_push_requests_total', { decision: 'notify' }, push)).toBe(MESSAGES);
    expect(grew('push', 'concord_push_notifications_total', { outcome: 'delivered', transport: 'webhook' }, push)).toBe(MESSAGES);

    // Every service samples the lag of the durable consumers it reads.
    const presence = await scrape('presence');
    const lagOf = { gateway, router, archive, presence, push };
    for (const [service, samples] of Object.entries(lagOf)) {
      const lag = samples.filter((s) => s.name === 'concord_consumer_pending');
      expect({ service, consumers: lag.length }).toEqual({ service, consumers: 1 });
      expect(lag[0]!.labels['consumer']).toContain(service);
      expect(lag[0]!.value).toBeGreaterThanOrEqual(0);
      expect(has(samples, 'concord_consumer_ack_pending')).toBe(true);
    }
  }, 90_000);
});
