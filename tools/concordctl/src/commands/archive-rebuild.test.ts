import { retentionOf } from '@concord/storage';
import { Lanes } from '@concord/archive';
import { parseVerifyArgs } from './archive';
import { RebuildProgress } from './archive-progress';
import { lostHistory } from './archive-rebuild';
import { holeLine, verifySummary } from './archive-verify';

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

describe('archive verify options', () => {
  const domain = 'localhost';
  it.each([
    ['nothing: the whole stream, report only', [], { account: undefined, from: undefined, repair: false }],
    ['one account, repaired', ['--account', 'alice@localhost', '--repair'], { account: 'alice@localhost', from: undefined, repair: true }],
    ['events of the last 30 minutes', ['--since', '30m'], { account: undefined, from: { sinceMs: 1_800_000 }, repair: false }],
    ['from a position', ['--from-seq', '120', '--repair'], { account: undefined, from: { seq: 120 }, repair: true }],
  ])('%s', (_what, args, expected) => {
    expect(parseVerifyArgs(args, domain)).toEqual(expected);
  });

  it.each([
    [['--since', '30m', '--from-seq', '4'], 'not both'],
    [['--since', 'soon'], 'a duration'],
    [['--from-seq', '0'], 'a stream sequence'],
    [['--account'], 'needs a value'],
    [['--account', 'alice@elsewhere'], 'serves localhost'],
    [['--force'], 'unknown option --force'],
    [['alice@localhost'], 'unexpected argument'],
  ])('refuses %j', (args, problem) => {
    expect(() => parseVerifyArgs(args, domain)).toThrow(problem);
  });
});

describe('archive verify output', () => {
  const hole = { owner: 'alice@localhost', archiveId: 'A1', position: 42, kind: 'missing' as const, reason: 'no row and no ID' };
  const report = { checked: 100, firstPosition: 3, lastPosition: 120, holes: [hole, { ...hole, position: 43, kind: 'row-lost' as const }], repaired: 2, failed: [], aborted: false };
  it('names each hole by account, archive ID and position', () => {
    expect(holeLine(hole)).toBe('hole\talice@localhost\tA1\tposition 42\tmissing: no row and no ID');
  });
  it('sums up, and says how to repair what it only reported', () => {
    expect(verifySummary(report, false, '1.5')).toBe('verified: 100 events checked (positions 3..120) in 1.5s: 2 holes (missing 1, row-lost 1); run again with --repair to restore them from the stream');
    expect(verifySummary(report, true, '1.5')).toBe('verified: 100 events checked (positions 3..120) in 1.5s: 2 holes (missing 1, row-lost 1), 2 repaired');
    expect(verifySummary({ ...report, holes: [], repaired: 0 }, false, '0.2')).toBe('verified: 100 events checked (positions 3..120) in 0.2s: no holes');
  });
});
