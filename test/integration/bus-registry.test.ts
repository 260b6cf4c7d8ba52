/** The bus registry against the real nats-server (2.9+): idempotent ensure, drift repair, KV. */
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { Bus, streamDecls } from '@concord/bus';
import { createLogger } from '@concord/log';
import { dropBus, requireStack, testConfig, uniqueName } from '../support/stack';

describe('bus registry', () => {
  requireStack();
  const cfg = testConfig(uniqueName('registry'));
  let bus: Bus;

  beforeAll(async () => {
    bus = await Bus.connect({ servers: cfg.natsUrls, name: 'registry-test', prefix: cfg.busPrefix, partitions: 4, log: createLogger('test', 'warn') });
  });

  afterAll(async () => {
    await bus.close();
    await dropBus(cfg);
  });

  it('creates every declared stream, consumer and bucket, and a second run changes nothing', async () => {
    await bus.ensure();
    await bus.ensure();
    for (const d of streamDecls(bus.names, bus.settings)) {
      const info = await bus.jsm.streams.info(d.config.name);
      expect(info.config.subjects).toEqual(d.config.subjects);
      expect(info.config.storage).toBe(d.config.storage);
    }
    // Subscription requests travel on PRESENCE: it must survive a nats-server restart.
    expect((await bus.jsm.streams.info(bus.names.stream('presence'))).config.storage).toBe(StorageType.File);
    expect((await bus.jsm.streams.info(bus.names.stream('push'))).config.retention).toBe(RetentionPolicy.Workqueue);
    expect((await bus.jsm.consumers.info(bus.names.stream('history'), bus.names.durable('archive', 'history'))).config.durable_name).toBe('archive-history');
  });

  it('brings a drifted stream back to its declaration', async () => {
    const name = bus.names.stream('inbound');
    const info = await bus.jsm.streams.info(name);
    await bus.jsm.streams.update(name, { ...info.config, max_age: 3_600_000_000_000 });
    await bus.ensure();
    const decl = streamDecls(bus.names, bus.settings).find((d) => d.key === 'inbound')!;
    expect((await bus.jsm.streams.info(name)).config.max_age).toBe(decl.config.max_age);
  });

  it('gives an existing session registry bucket a changed TTL (CONCORD_SESSION_TTL)', async () => {
    const stream = `KV_${bus.names.bucket('sessions')}`;
    const shorter = await Bus.connect({ servers: cfg.natsUrls, name: 'registry-test-ttl', prefix: cfg.busPrefix, partitions: 4, settings: { sessionTtlMs: 5_000 }, log: createLogger('test', 'warn') });
    try {
      await shorter.ensure();
      expect((await bus.jsm.streams.info(stream)).config.max_age).toBe(5_000_000_000);
    } finally {
      await shorter.close();
    }
    await bus.ensure();
    expect((await bus.jsm.streams.info(stream)).config.max_age).toBe(bus.settings.sessionTtlMs * 1_000_000);
  });

  it('opens the session registry bucket as a KV store', async () => {
    const kv = await bus.kv('sessions');
    await kv.put('probe.key', 'gw-1');
    expect((await kv.get('probe.key'))?.string()).toBe('gw-1');
  });
});
