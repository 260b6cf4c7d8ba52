import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { connectCassandra, schemaStatus } from '@concord/storage';
import { cassandraSettings, SERVICE_HTTP_PORTS, type CommonConfig, type ServiceName } from '@concord/runtime';
import { healthUrl } from '../services';

export interface ComponentStatus {
  name: string;
  kind: 'component' | 'service';
  ready: boolean;
  detail: string;
}

const TIMEOUT_MS = 3_000;

async function natsStatus(c: CommonConfig): Promise<ComponentStatus> {
  try {
    const nc = await connect({ servers: c.natsUrls, timeout: TIMEOUT_MS, maxReconnectAttempts: 0 });
    try {
      const info = await (await jetstreamManager(nc)).getAccountInfo();
      return { name: 'nats', kind: 'component', ready: true, detail: `${nc.info?.version ?? '?'} at ${c.natsUrls.join(',')}, ${info.streams} streams` };
    } finally {
      await nc.close();
    }
  } catch (err) {
    return { name: 'nats', kind: 'component', ready: false, detail: (err as Error).message };
  }
}

async function cassandraStatus(c: CommonConfig): Promise<ComponentStatus[]> {
  try {
    const client = await connectCassandra(cassandraSettings(c));
    try {
      const v = (await client.execute('SELECT release_version FROM system.local')).first()?.['release_version'];
      const s = await schemaStatus(client, c.cassandraKeyspace);
      return [
        { name: 'cassandra', kind: 'component', ready: true, detail: `${v} at ${c.cassandraContactPoints.join(',')}` },
        {
          name: 'schema', kind: 'component', ready: s.pending.length === 0,
          detail: s.pending.length === 0 ? `keyspace ${c.cassandraKeyspace} at version ${s.latest}` : `keyspace ${c.cassandraKeyspace} lacks migrations ${s.pending.join(', ')}: run concordctl migrate`,
        },
      ];
    } finally {
      await client.shutdown();
    }
  } catch (err) {
    return [{ name: 'cassandra', kind: 'component', ready: false, detail: (err as Error).message }];
  }
}

async function serviceStatus(name: ServiceName, env: NodeJS.ProcessEnv): Promise<ComponentStatus> {
  const url = `${healthUrl(name, env)}/readyz`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await res.json()) as { checks?: Record<string, boolean>; draining?: boolean };
    const failing = Object.entries(body.checks ?? {}).filter(([, ok]) => !ok).map(([k]) => k);
    const detail = res.ok ? url : body.draining ? 'draining' : `not ready: ${failing.join(', ') || res.status}`;
    return { name, kind: 'service', ready: res.ok, detail };
  } catch {
    return { name, kind: 'service', ready: false, detail: `no answer at ${url}` };
  }
}

export async function collectStatus(c: CommonConfig, env: NodeJS.ProcessEnv): Promise<ComponentStatus[]> {
  const [nats, cassandra, ...services] = await Promise.all([
    natsStatus(c),
    cassandraStatus(c),
    ...(Object.keys(SERVICE_HTTP_PORTS) as ServiceName[]).map((s) => serviceStatus(s, env)),
  ]);
  return [nats as ComponentStatus, ...(cassandra as ComponentStatus[]), ...(services as ComponentStatus[])];
}

export function formatStatus(rows: ComponentStatus[]): string {
  const w = Math.max(...rows.map((r) => r.name.length));
  return rows.map((r) => `${r.ready ? 'ready    ' : 'NOT READY'}  ${r.kind.padEnd(9)}  ${r.name.padEnd(w)}  ${r.detail}`).join('\n');
}
