import { createLogger } from '@concord/log';
import { IdCheck } from './id-check';

describe('IdCheck', () => {
  const log = createLogger('test', 'silent');
  const ids = new Map([['bob@example', 'b1'], ['alice@example', 'a1']]);
  const answering = (keys: string[]) => ({ idsInUse: async () => new Set(keys) });
  const failing = { idsInUse: async (): Promise<Set<string>> => { throw new Error('NoHostAvailableError'); } };
  const hanging = { idsInUse: () => new Promise<Set<string>>(() => undefined) };

  it.each([
    { name: 'an answer is passed on', archive: answering(['alice@example\na1']), want: ['alice@example\na1'] },
    { name: 'a failure is unknown', archive: failing, want: undefined },
    { name: 'no answer in time is unknown', archive: hanging, want: undefined },
  ])('$name', async ({ archive, want }) => {
    const r = await new IdCheck(archive, log, { timeoutMs: 20, skipForMs: 1_000 }).inUse(ids);
    expect(r === undefined ? undefined : [...r]).toEqual(want);
  });

  it('skips checks for a while after one failed, then asks again', async () => {
    const clock = { t: 0 };
    let calls = 0;
    let fail = true;
    const archive = { idsInUse: async () => { calls++; if (fail) throw new Error('down'); return new Set<string>(); } };
    const check = new IdCheck(archive, log, { timeoutMs: 20, skipForMs: 1_000 }, () => clock.t);
    expect(await check.inUse(ids)).toBeUndefined();
    fail = false;
    clock.t = 999;
    expect(await check.inUse(ids)).toBeUndefined();
    expect(calls).toBe(1);
    clock.t = 1_000;
    expect(await check.inUse(ids)).toEqual(new Set());
    expect(calls).toBe(2);
  });
});
