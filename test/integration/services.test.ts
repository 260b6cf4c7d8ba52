/**
 * Each service against the real stack: starts, reports ready on /readyz with its
 * dependencies named, serves /healthz and /metrics, drains on destroy. And a misconfigured
 * service refuses to start with one message listing every problem.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ArchiveService, readArchiveConfig } from '@concord/archive';
import { GatewayService, readGatewayConfig } from '@concord/gateway';
import { PresenceService, readPresenceConfig } from '@concord/presence';
import { PushService, readPushConfig } from '@concord/push';
import { RouterService, readRouterConfig } from '@concord/router';
import { freePort } from '../support/processes';
import { createKeyspace, dropBus, dropKeyspace, eventually, requireStack, testConfig, uniqueName } from '../support/stack';

const ROOT = join(__dirname, '..', '..');

interface AnyService {
  httpPort: number | undefined;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const services: [string, (env: NodeJS.ProcessEnv) => Promise<AnyService>][] = [
  ['gateway', (env) => GatewayService.create(readGatewayConfig(env))],
  ['router', (env) => RouterService.create(readRouterConfig(env))],
  ['archive', (env) => ArchiveService.create(readArchiveConfig(env))],
  ['presence', (env) => PresenceService.create(readPresenceConfig(env))],
  ['push', (env) => PushService.create(readPushConfig(env))],
];

describe('services on the real stack', () => {
  requireStack();
  const name = uniqueName('services');
  const cfg = testConfig(name);
  const env = {
    ...process.env,
    CONCORD_BUS_PREFIX: name,
    CONCORD_CASSANDRA_KEYSPACE: name,
    CONCORD_LOG_LEVEL: 'warn',
    CONCORD_ARCHIVE_GRPC_PORT: '0',
    ...Object.fromEntries(services.map(([s]) => [`CONCORD_${s.toUpperCase()}_HTTP_PORT`, '0'])),
  };

  beforeAll(() => createKeyspace(cfg));
  afterAll(async () => {
    await dropBus(cfg);
    await dropKeyspace(cfg);
  });

  it.each(services)('%s starts, is ready, and drains', async (service, create) => {
    const svc = await create(env);
    await svc.start();
    try {
      const base = `http://127.0.0.1:${svc.httpPort}`;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ service, ready: true, draining: false, checks: { nats: true, cassandra: true } });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await svc.destroy();
    }
    await expect(fetch(`http://127.0.0.1:${svc.httpPort}/healthz`)).rejects.toThrow();
  });

  it('all-in-one mode runs the five services in one process and stops on SIGTERM', async () => {
    const ports = await Promise.all(services.map(() => freePort()));
    const portEnv = Object.fromEntries(services.map(([s], i) => [`CONCORD_${s.toUpperCase()}_HTTP_PORT`, String(ports[i])]));
    const child = spawn(process.execPath, [join(ROOT, 'infra', 'dist', 'all-in-one.js')], { env: { ...env, ...portEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    for (const port of ports) {
      await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) ? true : undefined), 30_000, `service on ${port}`);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('all-in-one mode drains a SIGTERM that arrives while its services are still starting', async () => {
    const ports = await Promise.all(services.map(() => freePort()));
    const portEnv = Object.fromEntries(services.map(([s], i) => [`CONCORD_${s.toUpperCase()}_HTTP_PORT`, String(ports[i])]));
    const child = spawn(process.execPath, [join(ROOT, 'infra', 'dist', 'all-in-one.js')], { env: { ...env, ...portEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The first service answering is the moment the others start: the signal lands in the start.
    await eventually(async () => ((await Promise.all(ports.map((port) => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)))).some(Boolean) ? true : undefined), 30_000, 'the first service');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start against a keyspace without the schema', async () => {
    const bare = uniqueName('noschema');
    await expect(RouterService.create(readRouterConfig({ ...env, CONCORD_CASSANDRA_KEYSPACE: bare }))).rejects.toThrow(/concordctl migrate/);
  });

  it('a misconfigured service exits 78 naming every problem', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'services', 'router', 'dist', 'main.js')], {
      env: { ...env, CONCORD_BUS_PARTITIONS: 'many', CONCORD_NATS_URL: 'http://wrong', CONCORD_ROUTER_HTTP_PORT: '70000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toMatch(/3 problems/);
    expect(stderr).toMatch(/CONCORD_BUS_PARTITIONS="many": must be an integer/);
    expect(stderr).toMatch(/CONCORD_NATS_URL="http:\/\/wrong": invalid item/);
    expect(stderr).toMatch(/CONCORD_ROUTER_HTTP_PORT="70000": must be <= 65535/);
  });
});
