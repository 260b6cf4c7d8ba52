import { concord } from '@concord/proto';
import { idIndexRead } from './id-index-read';

const WINDOW = 120_000;
const event = (appliedThroughMs: number) => concord.events.v1.HistoryEvent.fromPartial({ owner: 'a@x', archiveId: 'id', appliedThroughMs });

describe('idIndexRead', () => {
  it.each([
    ['no proof', 0, 1_000_000, WINDOW, 'read'],
    ['fresh proof', 1_000_000, 1_000_500, WINDOW, 'skip'],
    ['stored just under half a window later', 1_000_000, 1_000_000 + WINDOW / 2 - 1, WINDOW, 'skip'],
    ['stored half a window later', 1_000_000, 1_000_000 + WINDOW / 2, WINDOW, 'read'],
    ['stored long after (the archive was behind)', 1_000_000, 1_000_000 + 10 * WINDOW, WINDOW, 'read'],
    ['router clock somewhat ahead of the server', 1_000_000, 990_000, WINDOW, 'skip'],
    ['router clock far ahead of the server', 1_000_000, 1_000_000 - WINDOW / 4 - 1, WINDOW, 'read'],
    ['stream without a duplicate window', 1_000_000, 1_000_500, 0, 'read'],
  ])('%s', (_name, through, storedAt, window, want) => {
    const v = idIndexRead(event(through), storedAt, window);
    expect(v.verdict).toBe(want);
    expect(v.reason).not.toBe('');
  });
});
