import { ArchiveService, readArchiveConfig } from '@concord/archive';
import { GatewayService, readGatewayConfig } from '@concord/gateway';
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
  /** The archive of one account, as stored. */
  archived(owner: string): Promise<ArchivedRow[]>;
  ports: { tcp: number; tls: number; ws: number };
  addAccount(local: string, password: string): Promise<string>;
  /** With archiveProcess: SIGKILL the archive process, then start a new one. */
  killAndRestartArchive(): Promise<void>;
  /** Graceful stop of the gateway and a new one on the same node id (new ports). */
  restartGateway(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Gateway and router of one test file, in this process, on any free ports, with their own bus
 * prefix and keyspace on the real stack. Clients reach them over real sockets.
 */
export interface StartOptions {
  /** Run the archive as a child process (so a test can kill it) instead of in this process. */
  archiveProcess?: boolean;
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
    CONCORD_GATEWAY_TCP_PORT: '0',
    CONCORD_GATEWAY_TLS_PORT: '0',
    CONCORD_GATEWAY_WS_PORT: '0',
    CONCORD_NODE_ID: `gw-${name.slice(-8)}`,
    ...env,
  };
  const router = await RouterService.create(readRouterConfig(fullEnv));
  await router.start();
  const archive = opts.archiveProcess ? undefined : await ArchiveService.create(readArchiveConfig(fullEnv));
  await archive?.start();
  let archiveChild: ChildProcess | undefined;
  const startArchiveProcess = async () => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'services', 'archive', 'dist', 'main.js')], { env: fullEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    archiveChild = child;
    // Ready once it serves queries: a metadata query on a fresh account answers.
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`archive process exited: ${stderr}`);
      const m = await fetch(`http://127.0.0.1:${archivePort}/readyz`).then((r) => r.ok, () => false);
      return m ? true : undefined;
    }, 30_000, 'the archive process');
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
  let gateway = await startGateway();
  const accountsClient = await connectCassandra({ ...cassandraSettings(cfg), keyspace: cfg.cassandraKeyspace });
  const accounts = new AccountStore(accountsClient);
  const running: RunningConcord = {
    name,
    domain: cfg.domain,
    gateway,
    router,
    ports: gateway.ports as { tcp: number; tls: number; ws: number },
    async archived(owner) {
      const rows: ArchivedRow[] = [];
      for await (const r of new ArchiveStore(accountsClient).all(owner)) rows.push(r);
      return rows;
    },
    async killAndRestartArchive() {
      if (!archiveChild) throw new Error('start with { archiveProcess: true }');
      const dead = new Promise((r) => archiveChild!.once('exit', r));
      archiveChild.kill('SIGKILL');
      await dead;
      await startArchiveProcess();
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
      await gateway.destroy();
      await router.destroy();
      await archive?.destroy();
      if (archiveChild && archiveChild.exitCode === null) {
        archiveChild.kill('SIGTERM');
        await new Promise((r) => archiveChild!.once('exit', r));
      }
      await accountsClient.shutdown();
      await dropBus(cfg);
      await dropKeyspace(cfg);
    },
  };
  return running;
}

/** An actor on @xmpp/client, logged in over TCP (STARTTLS, SASL2 + Bind2, Stream Management). */
export async function xmppjsOnline(concord: RunningConcord, name: string, local: string, password: string, extra: Record<string, unknown> = {}): Promise<ClientDriver> {
  const driver = ClientDriver.xmppjs(name);
  await driver.ok('start', { service: `xmpp://127.0.0.1:${concord.ports.tcp}`, domain: concord.domain, username: local, password, ...extra });
  return driver;
}
