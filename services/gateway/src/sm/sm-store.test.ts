import type { KV } from '@nats-io/kv';
import { SmStore } from './sm-store';

const record = {
  fullJid: 'alice@example.org/phone', clientId: 'c', imNg: true, carbons: false, inboundHandled: 1, outboundSent: 0, outboundAcked: 0,
  queued: [], recentArchiveIds: [], unacked: [], savedAtMs: 1, boundAtMs: 1,
};

describe('SmStore', () => {
  it('gives up waiting for a write the server died holding as soon as NATS reconnects', async () => {
    const listeners = new Set<() => void>();
    const kv = { update: () => new Promise<number>(() => undefined) } as unknown as KV;
    const store = new SmStore(kv, (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    });
    const write = store.write('sm1', record, 7);
    expect(listeners.size).toBe(1);
    for (const l of listeners) l();
    await expect(write).rejects.toThrow(/reconnected/);
    expect(listeners.size).toBe(0);
  });

  it('stops watching once a write is answered', async () => {
    const listeners = new Set<() => void>();
    const kv = { update: async () => 8 } as unknown as KV;
    const store = new SmStore(kv, (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    });
    await expect(store.write('sm1', record, 7)).resolves.toBe(8);
    expect(listeners.size).toBe(0);
  });
});
