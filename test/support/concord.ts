import { ArchiveService, readArchiveConfig } from '@concord/archive';
import { GatewayService, readGatewayConfig } from '@concord/gateway';
import { RouterService, readRouterConfig } from '@concord/router';
import { cassandraSettings } from '@concord/runtime';
import { deriveAllCredentials } from '@concord/sasl';
import { AccountStore, ArchiveStore, connectCassandra, type ArchivedRow } from '@concord/storage';
import { createKeyspace, dropBus, dropKeyspace, testConfig, uniqueName } from './stack';

export interface RunningConcord {
  name: string;
  domain: string;
  gateway: GatewayService;
  router: RouterService;
  /** The archive of one account, as stored. */
  archived(owner: string): Promise<ArchivedRow[]>;
  ports: { tcp: number; tls: number; ws: number };
  addAccount(local: string, password: string): Promise<string>;
  /** Graceful stop of the gateway and a new one on the same node id (new ports). */
  restartGateway(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Gateway and router of one test file, in this process, on any free ports, with their own bus
 * prefix and keyspace on the real stack. Clients reach them over real sockets.
 */
export async function startConcord(label: string, env: Record<string, string> = {}): Promise<RunningConcord> {
  const name = uniqueName(label);
  const cfg = testConfig(name, env);
  await createKeyspace(cfg);
  const fullEnv = {
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
  const archive = await ArchiveService.create(readArchiveConfig(fullEnv));
  await archive.start();
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
      await archive.destroy();
      await accountsClient.shutdown();
      await dropBus(cfg);
      await dropKeyspace(cfg);
    },
  };
  return running;
}
