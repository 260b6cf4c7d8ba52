import { ArchiveService, readArchiveConfig } from '@concord/archive';
import { GatewayService, readGatewayConfig } from '@concord/gateway';
import { PresenceService, readPresenceConfig } from '@concord/presence';
import { PushService, readPushConfig } from '@concord/push';
import { RouterService, readRouterConfig } from '@concord/router';
import { cassandraSettings } from '@concord/runtime';
import { deriveAllCredentials } from '@concord/sasl';
import { AccountStore, ArchiveStore, connectCassandra, type ArchivedRow } from '@concord/storage';
import { spawn, type ChildProcess } from 'node:child_process';
import { ClientDriver } from './driver';
import { join } from 'node:path';
import { freePort } from './processes';
import { createKeyspace, dropBus, dropKeyspace, eventually, testConfig, uniqueName } from './stack';

export interface RunningConcord {
  name: string;
  domain: string;
  gateway: GatewayService;
  router: RouterService;
  presence: PresenceService;
  /** The in-process push service (with the push option). */
  push: PushService | undefined;
  /** With push: stop the push service and start a new one (its state is in Cassandra and JetStream). */
  restartPush(): Promise<void>;
  /** The in-process archive (undefined with archiveProcess); its gRPC API is on archive.grpcPort. */
  archive: ArchiveService | undefined;
  /** The archive of one account, as stored. */
  archived(owner: string): Promise<ArchivedRow[]>;
  ports: { tcp: number; tls: number; ws: number };
  addAccount(local: string, password: string): Promise<string>;
  /** With archiveProcess: SIGKILL the archive process, then start a new one. */
  killAndRestartArchive(): Promise<void>;
  /**
   * With archiveProcess: SIGSTOP or SIGCONT the archive process. Stopped, it writes and answers
   * nothing, as when Cassandra stalls under it: routing goes on, acks and archive queries wait.
   */
  freezeArchive(frozen: boolean): void;
  /** Graceful stop of the gateway and a new one on the same node id (new ports). */
  restartGateway(): Promise<void>;
  /** With gatewayProcess: the second gateway, a child process a test can SIGKILL. */
  gatewayChild: GatewayChild | undefined;
  stop(): Promise<void>;
}

/**
 * Gateway and router of one test file, in this process, on any free ports, with their own bus
 * prefix and keyspace on the real stack. Clients reach them over real sockets.
 */
export interface StartOptions {
  /** Run the archive as a child process (so a test can kill it) instead of in this process. */
  archiveProcess?: boolean;
  /** Also run a second gateway (its own node id and ports) as a child process, so a test can kill it. */
  gatewayProcess?: boolean;
  /** Also run the push service in this process (app servers from CONCORD_PUSH_APP_SERVERS in env). */
  push?: boolean;
}

export interface GatewayChild {
  nodeId: string;
  ports: { tcp: number; tls: number; ws: number };
  /** SIGKILL: no graceful shutdown, its sessions are left in the registry to expire. */
  kill(): Promise<void>;
  /** After kill(): a new process with the same node id on the same ports. */
  restart(): Promise<void>;
}

/** A service's dist/main.js as a child process, resolved once its /readyz answers. */
async function spawnService(service: string, env: Record<string, string | undefined>, httpPort: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'services', service, 'dist', 'main.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`${service} process exited: ${stderr}`);
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.ok, () => false);
    return ready ? true : undefined;
  }, 30_000, `the ${service} process`);
  return child;
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

async function startGatewayChild(env: Record<string, string | undefined>, name: string): Promise<{ child: () => ChildProcess; info: GatewayChild }> {
  const [http, tcp, tls, ws] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const nodeId = `gwp-${name.slice(-8)}`;
  const spawnChild = () => spawnService('gateway', {
    ...env, CONCORD_NODE_ID: nodeId, CONCORD_GATEWAY_HTTP_PORT: String(http),
    CONCORD_GATEWAY_TCP_PORT: String(tcp), CONCORD_GATEWAY_TLS_PORT: String(tls), CONCORD_GATEWAY_WS_PORT: String(ws),
  }, http);
  let child = await spawnChild();
  return {
    child: () => child,
    info: {
      nodeId, ports: { tcp, tls, ws },
      kill: () => stopChild(child, 'SIGKILL'),
      async restart() {
        child = await spawnChild();
      },
    },
  };
}

export async function startConcord(label: string, env: Record<string, string> = {}, opts: StartOptions = {}): Promise<RunningConcord> {
  const name = uniqueName(label);
  const cfg = testConfig(name, env);
  await createKeyspace(cfg);
  const fullEnv: Record<string, string | undefined> = {
    ...process.env,
    CONCORD_BUS_PREFIX: name,
    CONCORD_CASSANDRA_KEYSPACE: name,
    CONCORD_LOG_LEVEL: process.env['CONCORD_TEST_LOG_LEVEL'] ?? 'warn',
    CONCORD_GATEWAY_HTTP_PORT: '0',
    CONCORD_ROUTER_HTTP_PORT: '0',
    CONCORD_ARCHIVE_HTTP_PORT: '0',
    CONCORD_PRESENCE_HTTP_PORT: '0',
    CONCORD_PUSH_HTTP_PORT: '0',
    CONCORD_ARCHIVE_GRPC_PORT: '0',
    CONCORD_GATEWAY_TCP_PORT: '0',
    CONCORD_GATEWAY_TLS_PORT: '0',
    CONCORD_GATEWAY_WS_PORT: '0',
    CONCORD_NODE_ID: `gw-${name.slice(-8)}`,
    ...env,
  };
  const router = await RouterService.create(readRouterConfig(fullEnv));
  await router.start();
  const presence = await PresenceService.create(readPresenceConfig(fullEnv));
  await presence.start();
  const archive = opts.archiveProcess ? undefined : await ArchiveService.create(readArchiveConfig(fullEnv));
  await archive?.start();
  let archiveChild: ChildProcess | undefined;
  const startArchiveProcess = async () => {
    archiveChild = await spawnService('archive', fullEnv, archivePort);
  };
  const archivePort = opts.archiveProcess ? await freePort() : 0;
  if (opts.archiveProcess) {
    fullEnv.CONCORD_ARCHIVE_HTTP_PORT = String(archivePort);
    await startArchiveProcess();
  }
  const startGateway = async () => {
    const g = await GatewayService.create(readGatewayConfig(fullEnv));
    await g.start();
    return g;
  };
  const startPush = async () => {
    const p = await PushService.create(readPushConfig(fullEnv));
    await p.start();
    return p;
  };
  // Before the gateway, whose first probe then finds push working (disco#info).
  let push = opts.push ? await startPush() : undefined;
  let gateway = await startGateway();
  const gatewayChild = opts.gatewayProcess ? await startGatewayChild(fullEnv, name) : undefined;
  const accountsClient = await connectCassandra({ ...cassandraSettings(cfg), keyspace: cfg.cassandraKeyspace });
  const accounts = new AccountStore(accountsClient);
  const running: RunningConcord = {
    name,
    domain: cfg.domain,
    gateway,
    router,
    presence,
    push,
    archive,
    gatewayChild: gatewayChild?.info,
    ports: gateway.ports as { tcp: number; tls: number; ws: number },
    async archived(owner) {
      const rows: ArchivedRow[] = [];
      for await (const r of new ArchiveStore(accountsClient).all(owner)) rows.push(r);
      return rows;
    },
    freezeArchive(frozen) {
      if (!archiveChild) throw new Error('start with { archiveProcess: true }');
      archiveChild.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
    },
    async killAndRestartArchive() {
      if (!archiveChild) throw new Error('start with { archiveProcess: true }');
      await stopChild(archiveChild, 'SIGKILL');
      await startArchiveProcess();
    },
    async restartPush() {
      if (!push) throw new Error('start with { push: true }');
      await push.destroy();
      push = await startPush();
      running.push = push;
    },
    async restartGateway() {
      await gateway.destroy();
      gateway = await startGateway();
      running.gateway = gateway;
      running.ports = gateway.ports as { tcp: number; tls: number; ws: number };
    },
    async addAccount(local, password) {
      const jid = `${local}@${cfg.domain}`;
      await accounts.create({ jid, credentials: deriveAllCredentials(password), createdAt: new Date(), admin: false, disabled: false });
      return jid;
    },
    async stop() {
      await stopChild(gatewayChild?.child(), 'SIGTERM');
      await gateway.destroy();
      await router.destroy();
      await presence.destroy();
      await push?.destroy();
      await archive?.destroy();
      archiveChild?.kill('SIGCONT'); // a frozen process would not see the SIGTERM
      await stopChild(archiveChild, 'SIGTERM');
      await accountsClient.shutdown();
      await dropBus(cfg);
      await dropKeyspace(cfg);
    },
  };
  return running;
}

/**
 * The environment of one more gateway of `concord`, in this process, on any free ports (e.g. one
 * that reaches NATS or Cassandra through a proxy of the test): `env` adds to it.
 */
export function extraGatewayEnv(concord: RunningConcord, nodeId: string, env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CONCORD_BUS_PREFIX: concord.name,
    CONCORD_CASSANDRA_KEYSPACE: concord.name,
    CONCORD_NODE_ID: nodeId,
    CONCORD_LOG_LEVEL: 'error',
    CONCORD_GATEWAY_HTTP_PORT: '0',
    CONCORD_GATEWAY_TCP_PORT: '0',
    CONCORD_GATEWAY_TLS_PORT: '0',
    CONCORD_GATEWAY_WS_PORT: '0',
    ...env,
  };
}

/** An actor on @xmpp/client, logged in over TCP (STARTTLS, SASL2 + Bind2, Stream Management). */
export async function xmppjsOnline(concord: RunningConcord, name: string, local: string, password: string, extra: Record<string, unknown> = {}): Promise<ClientDriver> {
  const driver = ClientDriver.xmppjs(name);
  await driver.ok('start', { service: `xmpp://127.0.0.1:${concord.ports.tcp}`, domain: concord.domain, username: local, password, ...extra });
  return driver;
}
