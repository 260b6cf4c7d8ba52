/**
 * Each service as its own process, as production runs it: after SIGTERM it drains and the
 * process ends by itself (runMain never calls process.exit), so anything its shutdown leaves
 * running (a timer, a socket, a reconnecting client) shows up here as a process that does not
 * exit. Also with nats-server or Cassandra gone or stalled at the moment of the signal (each
 * reached through a proxy of the test's own): a stop must not wait for them for ever.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../support/processes';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createKeyspace, dropBus, dropKeyspace, eventually, requireStack, testConfig, uniqueName } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const SERVICES = ['gateway', 'router', 'archive', 'presence', 'push'];
/** What is wrong when the signal arrives. */
const FAULTS = ['none', 'nats down', 'nats stalled', 'cassandra down', 'cassandra stalled'] as const;
const CASES = SERVICES.flatMap((service) => FAULTS.map((fault) => [service, fault] as const));
/** The drain's own bound in these runs. */
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** The drain's bound, connections closed, and room for a busy machine; the bug this guards against never exits at all. */
const EXIT_WITHIN_MS = 45_000;

describe('a service process ends after SIGTERM', () => {
  requireStack();
  const name = uniqueName('svcexit');
  const cfg = testConfig(name);

  beforeAll(() => createKeyspace(cfg));
  afterAll(async () => {
    await dropBus(cfg);
    await dropKeyspace(cfg);
  });

  it.each(CASES)('%s, %s', async (service, fault) => {
    const port = await freePort();
    const nats = await startTcpProxy(new URL(cfg.natsUrls[0]!).host);
    const cassandra = await startTcpProxy(cfg.cassandraContactPoints[0]!);
    const proxies: Record<string, TcpProxy> = { nats, cassandra };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CONCORD_BUS_PREFIX: name,
      CONCORD_CASSANDRA_KEYSPACE: name,
      CONCORD_LOG_LEVEL: 'info',
      CONCORD_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
      CONCORD_NODE_ID: `exit-${service}`,
      CONCORD_NATS_URL: `nats://${nats.address}`,
      CONCORD_CASSANDRA_CONTACT_POINTS: cassandra.address,
      CONCORD_ARCHIVE_GRPC_PORT: '0',
      CONCORD_GATEWAY_TCP_PORT: '0',
      CONCORD_GATEWAY_TLS_PORT: '0',
      CONCORD_GATEWAY_WS_PORT: '0',
      [`CONCORD_${service.toUpperCase()}_HTTP_PORT`]: String(port),
    };
    const child = spawn(process.execPath, [join(ROOT, 'services', service, 'dist', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`${service} exited before it was ready:\n${output}`);
        return (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) ? true : undefined;
      }, 30_000, `${service} ready`);
      const [dependency, how] = fault.split(' ') as [string, 'down' | 'stalled'];
      if (how === 'down') proxies[dependency]!.down();
      if (how === 'stalled') proxies[dependency]!.stall();
      child.kill('SIGTERM');
      const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), EXIT_WITHIN_MS).unref());
      const outcome = await Promise.race([exited, timeout]);
      if (outcome === 'still running') throw new Error(`${service} still running ${EXIT_WITHIN_MS} ms after SIGTERM:\n${output}`);
      // A stop that could not drain says so with a non-zero code; what matters is that it ends.
      expect(outcome).toEqual(fault === 'none' ? 0 : expect.any(Number));
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await nats.close();
      await cassandra.close();
    }
  }, 90_000);
});
