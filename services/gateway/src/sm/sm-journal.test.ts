import { createLogger } from '@concord/log';
import { el, type Element } from '@concord/xml';
import { SmJournal } from './sm-journal';
import { SmStreamMoved, type SmStateRecord, type SmStore } from './sm-store';

/** A store whose writes resolve when the test says, recording what each wrote over which revision. */
function fakeStore() {
  const writes: { record: SmStateRecord; revision: number | undefined; done: (r: number | Error) => void }[] = [];
  const store = {
    write: (_id: string, record: SmStateRecord, revision: number | undefined) => new Promise<number>((resolve, reject) => {
      writes.push({ record, revision, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
    }),
    forget: jest.fn(async () => undefined),
    revisionOf: jest.fn(async (): Promise<number | undefined> => undefined),
  } as unknown as SmStore & { revisionOf: jest.Mock };
  return { store, writes };
}

const turn = () => new Promise((r) => setImmediate(r));

function setup() {
  const { store, writes } = fakeStore();
  const sent: string[] = [];
  let state = 0;
  const moved = jest.fn();
  const journal = new SmJournal(store, 'sm1', undefined, () => ({ outboundSent: state }) as SmStateRecord,
    { send: (e: Element) => sent.push(e.attrs['id']!), moved }, createLogger('test', 'silent'));
  const send = (id: string) => {
    state++;
    journal.send(el('message', { id }));
  };
  return { journal, writes, sent, send, moved, store };
}

describe('SmJournal', () => {
  it('writes the record before the socket, one write per turn, the next over the last revision', async () => {
    const { writes, sent, send } = setup();
    send('1');
    send('2');
    await turn();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.record.outboundSent).toBe(2);
    expect(sent).toEqual([]);
    // More arrives while the write is in flight: it waits for the next one.
    send('3');
    writes[0]!.done(7);
    await turn();
    expect(sent).toEqual(['1', '2']);
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatchObject({ revision: 7, record: { outboundSent: 3 } });
    writes[1]!.done(8);
    await turn();
    expect(sent).toEqual(['1', '2', '3']);
  });

  it('lets the stream go when another resumption took the record, sending nothing more', async () => {
    const { writes, sent, send, moved } = setup();
    send('1');
    await turn();
    writes[0]!.done(new SmStreamMoved('sm1'));
    await turn();
    expect(moved).toHaveBeenCalledTimes(1);
    send('2');
    await turn();
    expect(sent).toEqual([]);
    expect(writes).toHaveLength(1);
  });

  it('retries a failed write and only then sends', async () => {
    const { writes, sent, send } = setup();
    send('1');
    await turn();
    writes[0]!.done(new Error('no responders'));
    // The retry comes after a back-off: wait for it.
    while (writes.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(sent).toEqual([]);
    writes[1]!.done(3);
    await turn();
    expect(sent).toEqual(['1']);
  });

  it('deletes the record at the end of a session over the last revision written', async () => {
    const { journal, writes, send, store } = setup();
    send('1');
    await turn();
    writes[0]!.done(5);
    await journal.settle();
    await journal.end(true);
    expect(store.forget).toHaveBeenCalledWith('sm1', 5);
  });

  it.each<[string, number | undefined, boolean]>([
    ['still its own: the last revision is the one it wrote', 5, true],
    ['taken over: another resumption wrote since', 6, false],
    ['taken over and ended elsewhere: deleted', undefined, false],
  ])('owned(): %s', async (_what, last, owned) => {
    const { journal, writes, send, store } = setup();
    send('1');
    await turn();
    writes[0]!.done(5);
    await journal.settle();
    (store as unknown as { revisionOf: jest.Mock }).revisionOf.mockResolvedValue(last);
    expect(await journal.owned()).toBe(owned);
  });
});
