import { failures, type Row } from './verdict';

const clean: Row = {
  fault: 'x', sent: 100, acked: 100, missingSender: 0, missingRecipient: 0, archiveDuplicates: 0,
  ackedNotDelivered: 0, liveDuplicates: 0, relogins: 0, recovery: 1.2, problems: [],
};

describe('the verdict of a fault run', () => {
  it.each<[string, Partial<Row>, RegExp | undefined]>([
    ['a clean run passes', {}, undefined],
    ['a run without a fault passes', { recovery: undefined }, undefined],
    ['recovery exactly at the limit passes', { recovery: 5 }, undefined],
    ['a loss from the sender archive fails', { missingSender: 1 }, /sender's archive/],
    ['a loss from the recipient archive fails', { missingRecipient: 3 }, /recipient's archive/],
    ['an archive duplicate fails', { archiveDuplicates: 1 }, /duplicate archive rows/],
    ['an acked message not delivered fails', { ackedNotDelivered: 2 }, /never reached/],
    ['a duplicate to a session fails', { liveDuplicates: 1 }, /more than once/],
    ['a re-login fails', { relogins: 1 }, /re-logins/],
    ['messages never acked fail', { acked: 99 }, /1 messages never acked/],
    ['a slow recovery fails', { recovery: 5.1 }, /5\.1s after/],
    ['acks that never resume fail', { recovery: null }, /did not resume/],
    ['a problem on the side fails', { problems: ['archive exited on its own (1)'] }, /exited on its own/],
  ])('%s', (_, change, expected) => {
    const out = failures({ ...clean, ...change });
    if (expected) expect(out.join('\n')).toMatch(expected);
    else expect(out).toEqual([]);
  });
});
