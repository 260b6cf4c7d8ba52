/**
 * Ack = archived, under failure: 1,000 messages sent with Stream Management; the archive
 * process is killed (SIGKILL) half-way and restarted. Every acked message is in the archive
 * afterwards (both copies), none twice, in position order.
 */
import type { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { eventually, requireStack } from '../support/stack';

const N = 1_000;

describe('killing the archive while messages flow', () => {
  requireStack();
  let concord: RunningConcord;
  let alice: ClientDriver;

  beforeAll(async () => {
    concord = await startConcord('archkill', {}, { archiveProcess: true });
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    alice = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret');
  }, 60_000);

  afterAll(async () => {
    await alice.kill();
    await concord.stop();
  });

  it('loses no acked message and stores none twice', async () => {
    const acked = () => alice.events.filter((e) => e.event === 'ack').length;
    for (let i = 0; i < N; i++) {
      await alice.ok('send', { xml: `<message to='bob@${concord.domain}' type='chat' id='k${i}'><body>${i}</body></message>` });
      if (i === N / 2) {
        await eventually(async () => (acked() >= N / 4 ? true : undefined), 30_000, 'some acks before the kill');
        await concord.killAndRestartArchive();
      }
    }
    await eventually(async () => (acked() >= N ? true : undefined), 120_000, `${N} acks`);
    const ackedIds = new Set(alice.events.filter((e) => e.event === 'ack').map((e) => /id="(k\d+)"/.exec(e.xml ?? '')![1]!));
    expect(ackedIds.size).toBe(N);

    for (const account of [`alice@${concord.domain}`, `bob@${concord.domain}`]) {
      const rows = await concord.archived(account);
      const origins = rows.map((r) => r.originId);
      expect(new Set(origins).size).toBe(origins.length); // none twice
      for (const id of ackedIds) expect(origins).toContain(id); // none missing
      const positions = rows.map((r) => r.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  }, 240_000);
});
