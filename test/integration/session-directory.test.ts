/** The router's watched copy of the session registry, against the real nats-server KV. */
import { Bus } from '@concord/bus';
import { createLogger } from '@concord/log';
import { SessionDirectory, SessionRegistry } from '@concord/registry';
import { dropBus, requireStack, testConfig, uniqueName } from '../support/stack';

describe('session directory', () => {
  requireStack();
  const cfg = testConfig(uniqueName('directory'));
  let bus: Bus;
  let registry: SessionRegistry;
  let directory: SessionDirectory;

  beforeAll(async () => {
    bus = await Bus.connect({ servers: cfg.natsUrls, name: 'directory-test', prefix: cfg.busPrefix, log: createLogger('test', 'warn'), settings: { sessionTtlMs: 60_000 } });
    await bus.ensure();
    const kv = await bus.kv('sessions');
    registry = new SessionRegistry(kv);
    await registry.put({ fullJid: 'early@localhost/a', gatewayNode: 'gw1' });
    directory = await SessionDirectory.open(kv, 60_000);
  });

  afterAll(async () => {
    await directory.stop();
    await bus.close();
    await dropBus(cfg);
  });

  const jids = async (account: string) => (await directory.ofAccount(account)).map((s) => s.fullJid).sort();

  it('holds what the bucket had before it opened', async () => {
    expect(await jids('early@localhost')).toEqual(['early@localhost/a']);
  });

  it('sees a registration the moment the write has completed, and a removal likewise', async () => {
    // Many rounds: a write completing just before the read must never be missed.
    for (let i = 0; i < 50; i++) {
      await registry.put({ fullJid: `alice@localhost/r${i}`, gatewayNode: 'gw1' });
      expect(await jids('alice@localhost')).toContain(`alice@localhost/r${i}`);
      await registry.remove(`alice@localhost/r${i}`);
      expect(await jids('alice@localhost')).not.toContain(`alice@localhost/r${i}`);
    }
  });

  it('keeps accounts apart and serves many readers at once from few round trips', async () => {
    await Promise.all([registry.put({ fullJid: 'bob@localhost/x', gatewayNode: 'gw2' }), registry.put({ fullJid: 'bob@localhost/y', gatewayNode: 'gw2' })]);
    const all = await Promise.all(Array.from({ length: 200 }, () => jids('bob@localhost')));
    for (const list of all) expect(list).toEqual(['bob@localhost/x', 'bob@localhost/y']);
    expect(await jids('nobody@localhost')).toEqual([]);
  });
});
