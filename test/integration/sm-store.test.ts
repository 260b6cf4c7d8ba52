/**
 * The Stream Management record store against the real nats-server KV: one writer per stream
 * (each write names the writer's last revision), a take-over that stops the former writer, two
 * concurrent resumptions of which one wins, only the stream's own account, and a normal end that
 * deletes the record unless the stream moved.
 */
import { Bus } from '@concord/bus';
import { SmStore, SmStreamMoved, type SmStateRecord } from '@concord/gateway';
import { createLogger } from '@concord/log';
import { concord } from '@concord/proto';
import { dropBus, requireStack, testConfig, uniqueName } from '../support/stack';

const record = (fullJid: string, outboundSent: number): SmStateRecord =>
  concord.events.v1.SmStateRecord.fromPartial({ fullJid, outboundSent, recentArchiveIds: ['A1'] });
const alices = (r: SmStateRecord) => r.fullJid.startsWith('alice@');

describe('SmStore', () => {
  requireStack();
  const cfg = testConfig(uniqueName('smstore'));
  let bus: Bus;
  let store: SmStore;

  beforeAll(async () => {
    bus = await Bus.connect({ servers: cfg.natsUrls, name: 'sm-store-test', prefix: cfg.busPrefix, log: createLogger('test', 'warn') });
    await bus.ensure();
    store = new SmStore(await bus.kv('smState'));
  });

  afterAll(async () => {
    await bus.close();
    await dropBus(cfg);
  });

  it('lets one writer go on; a take-over stops the former one', async () => {
    const r1 = await store.write('s1', record('alice@example/phone', 1), undefined);
    const r2 = await store.write('s1', record('alice@example/phone', 2), r1);
    // A second stream with the same id cannot be created over it.
    await expect(store.write('s1', record('alice@example/phone', 9), undefined)).rejects.toBeInstanceOf(SmStreamMoved);
    const taken = await store.take('s1', alices);
    expect(taken?.record.outboundSent).toBe(2);
    await expect(store.write('s1', record('alice@example/phone', 3), r2)).rejects.toBeInstanceOf(SmStreamMoved);
    await store.write('s1', record('alice@example/phone', 3), taken!.revision);
  });

  it('recognises its own write whose answer was lost', async () => {
    const r1 = await store.write('s2', record('alice@example/phone', 1), undefined);
    await store.write('s2', record('alice@example/phone', 2), r1);
    // The same bytes over the old revision: it landed, so it is this writer's.
    await expect(store.write('s2', record('alice@example/phone', 2), r1)).resolves.toBeGreaterThan(r1);
  });

  it('gives a stream to one of two concurrent resumptions, and only to its own account', async () => {
    await store.write('s3', record('alice@example/phone', 1), undefined);
    expect(await store.take('s3', (r) => r.fullJid.startsWith('eve@'))).toBeUndefined();
    const both = await Promise.all([store.take('s3', alices), store.take('s3', alices)]);
    expect(both.filter((t) => t !== undefined)).toHaveLength(1);
  });

  it('deletes the record at a normal end, unless the stream moved', async () => {
    const r1 = await store.write('s4', record('alice@example/phone', 1), undefined);
    await store.forget('s4', r1);
    expect(await store.revisionOf('s4')).toBeUndefined();
    const r2 = await store.write('s5', record('alice@example/phone', 1), undefined);
    const taken = await store.take('s5', alices);
    await store.forget('s5', r2);
    expect(await store.revisionOf('s5')).toBe(taken!.revision);
  });
});
