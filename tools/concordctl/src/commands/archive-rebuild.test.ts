import { retentionOf } from '@concord/storage';
import { Lanes } from './archive-lanes';
import { RebuildProgress } from './archive-progress';
import { lostHistory } from './archive-rebuild';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

describe('what a rebuild cannot restore', () => {
  it.each([
    ['the stream holds every event', 1, NOW - 90 * DAY, 0, 'none'],
    ['events are gone and rows are kept forever', 500, NOW - 90 * DAY, 0, 'lost'],
    ['events are gone but the first one left is past the retention', 500, NOW - 31 * DAY, 30 * DAY, 'expired'],
    ['events are gone and the first one left is within the retention', 500, NOW - 29 * DAY, 30 * DAY, 'lost'],
    ['every event is gone', 500, undefined, 30 * DAY, 'lost'],
  ] as const)('%s', (_what, firstSeq, firstEventMs, retentionMs, expected) => {
    expect(lostHistory(firstSeq, firstEventMs, retentionOf(retentionMs, () => NOW))).toBe(expected);
  });
});

describe('replay lanes', () => {
  it('keeps each key in order, runs keys side by side, and stops a key after a failure', async () => {
    const lanes = new Lanes(4);
    const done: string[] = [];
    const gates = new Map<string, () => void>();
    const slow = (name: string) => () => new Promise<void>((r) => gates.set(name, () => (done.push(name), r())));
    await lanes.push('alice', slow('alice-1'));
    await lanes.push('alice', async () => void done.push('alice-2'));
    await lanes.push('bob', async () => void done.push('bob-1'));
    await new Promise((r) => setImmediate(r));
    expect(done).toEqual(['bob-1']);
    gates.get('alice-1')!();
    await lanes.drain();
    expect(done).toEqual(['bob-1', 'alice-1', 'alice-2']);

    await lanes.push('carol', async () => { throw new Error('down'); });
    await lanes.push('carol', async () => void done.push('carol-2'));
    await expect(lanes.drain()).rejects.toThrow('down');
    expect(done).not.toContain('carol-2');
  });
});

describe('rebuild progress', () => {
  it('prints the position and rate at most every interval, then a summary of the outcomes', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = new RebuildProgress((s) => lines.push(s), 400, 2_000, () => now);
    for (let seq = 1; seq <= 400; seq++) {
      now = seq * 10;
      progress.readAt(seq);
      progress.counted(seq % 100 === 0 ? 'other-account' : seq === 50 ? 'retracted' : 'written');
    }
    expect(lines).toEqual([
      'position 200 of 400 (50%): 200 events read, 198 applied, 100 events/s',
      'position 400 of 400 (100%): 400 events read, 396 applied, 100 events/s',
    ]);
    expect(progress.summary()).toBe('rebuilt: 400 events read up to position 400, 396 applied (written 395, duplicate 0, expired 0, retracted 1, deleted 0, ignored 0), 4 of other accounts skipped in 4.0s (100 events/s)');
  });
});
