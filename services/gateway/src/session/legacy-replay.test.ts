import type { KV } from '@nats-io/kv';
import { parseJid } from '@concord/jid';
import { createLogger } from '@concord/log';
import { el, parseElement, serialize, Verbatim, verbatim, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { ArchiveQuerier } from '../producers/archive-query';
import { StreamManagement } from '../sm/stream-management';
import { LegacyMarkStore, LegacyMarkTracker, MARK_WINDOW } from './legacy-marks';
import { ReplayAbandoned, legacyReplay, replayAnswer, type ReplayOptions } from './legacy-replay';

const ALICE = 'alice@example.com';
const LAPTOP = parseJid(`${ALICE}/laptop`);

/** alice's archive: each row is the archived copy, with the stanza-id by alice. */
function row(id: string, from: string, to: string, inner = '<body>x</body>'): { id: string; xml: string } {
  return { id, xml: `<message xmlns='${NS.client}' from='${from}' to='${to}' type='chat'>${inner}<stanza-id xmlns='${NS.sid}' by='${ALICE}' id='${id}'/></message>` };
}

/**
 * Answers XEP-0313 the way the archive does: after-id, RSM max and <before/> (the newest page).
 * `written` is how many rows the archive has written (all by default): it answers with those
 * only, as an archive behind does after its wait for the watermark, and says so in its progress.
 */
function fakeArchive(all: { id: string; xml: string }[], written: () => number = () => all.length): ArchiveQuerier {
  const answer = (fullJid: string, iq: Element) => {
    const rows = all.slice(0, written());
    const q = iq.getChild('query', NS.mam)!;
    const field = (v: string) => q.getChild('x', NS.dataForms)!.getChildren('field').find((f) => f.attrs['var'] === v)?.getChildText('value');
    const set = q.getChild('set', NS.rsm)!;
    const after = field('after-id');
    const before = set.getChildText('before');
    let selected = after ? rows.slice(rows.findIndex((r) => r.id === after) + 1) : rows;
    if (before) selected = selected.slice(0, selected.findIndex((r) => r.id === before));
    const max = Number(set.getChildText('max'));
    const page = selected.slice(-max);
    return {
      results: page.map((r) => ({ id: r.id, stanza: el('message', { xmlns: NS.client, to: fullJid }, el('result', { xmlns: NS.mam, queryid: 'catchup', id: r.id },
        el('forwarded', { xmlns: NS.forward }, el('delay', { xmlns: NS.delay, stamp: '2025-01-01T00:00:00Z' }), parseElement(r.xml, undefined, NS.client)))) })),
      end: el('iq', { type: 'result' }, el('fin', { xmlns: NS.mam, ...(selected.length <= max ? { complete: 'true' } : {}) })),
    };
  };
  return {
    historyHead: async () => all.length,
    archivedThrough: async () => written(),
    async query(_account, fullJid, iq) {
      if (iq.getChild('metadata', NS.mam)) return [el('iq', { type: 'result' }, el('metadata', { xmlns: NS.mam }))];
      const { results, end } = answer(fullJid, iq);
      return [...results.map((r) => r.stanza), end];
    },
    // As the gateway reads the archive's answer: results kept as the XML the archive wrote.
    async page(_account, fullJid, iq) {
      const { results, end } = answer(fullJid, iq);
      return { results: results.map((r) => ({ id: r.id, stanza: verbatim(serialize(r.stanza), () => { throw new Error('not as serialized'); }) })), end };
    },
    open: (result) => (result instanceof Verbatim ? parseElement(result.xml, undefined, NS.client) : result),
  };
}

/** The legacy_marks bucket in memory. */
function fakeKv(): KV & { data: Map<string, Uint8Array> } {
  const data = new Map<string, Uint8Array>();
  return {
    data,
    get: async (key: string) => (data.has(key) ? { operation: 'PUT', value: data.get(key)!, revision: 1 } : null),
    put: async (key: string, value: Uint8Array) => (data.set(key, value), 1),
  } as unknown as KV & { data: Map<string, Uint8Array> };
}

const bodies = (stanzas: Element[]) => stanzas.map((s) => s.getChildText('body') ?? `carbon:${s.getChild('sent', NS.carbons)?.getChild('forwarded', NS.forward)?.getChild('message', NS.client)?.getChildText('body')}`);

const options = (o: Partial<ReplayOptions> = {}): ReplayOptions => ({ max: 100, carbons: false, retry: { firstMs: 1, maxMs: 4 }, isOver: () => false, ...o });

describe('legacy replay', () => {
  const log = createLogger('test', 'error');

  it('a first login replays nothing and starts from the newest message', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    const archive = fakeArchive([row('a1', 'bob@example.com/d', ALICE), row('a2', 'bob@example.com/d', ALICE)]);
    const r = await legacyReplay(archive, LAPTOP, LegacyMarkTracker.newStream(store, LAPTOP), options({ carbons: false }));
    expect(r.stanzas).toEqual([]);
    await store.idle();
    expect(await store.load(LAPTOP.toString())).toEqual(['a2']);
  });

  it('a first login while the archive does not answer leaves no mark (it would replay the whole archive next time)', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    const down: ArchiveQuerier = {
      historyHead: async () => 0,
      archivedThrough: async () => 0,
      query: async (_a, _f, iq) => [el('iq', { type: 'error', id: iq.attrs['id'] })],
      page: async (_a, _f, iq) => ({ results: [], end: el('iq', { type: 'error', id: iq.attrs['id'] }) }),
      open: (result) => result,
    };
    const r = await legacyReplay(down, LAPTOP, LegacyMarkTracker.newStream(store, LAPTOP), options({ carbons: false }));
    expect(r.stanzas).toEqual([]);
    await store.idle();
    expect(await store.load(LAPTOP.toString())).toBeUndefined();
  });

  it('replays what came after the mark: plain with delay and stanza-id, the account\'s own as carbons, nothing twice', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    store.save(LAPTOP.toString(), ['a1', 'a3']);
    const rows = [
      row('a1', 'bob@example.com/d', ALICE, '<body>seen</body>'),
      row('a2', 'bob@example.com/d', ALICE, '<body>missed while reordered</body>'),
      row('a3', 'bob@example.com/d', ALICE, '<body>seen too</body>'),
      row('a4', 'bob@example.com/d', ALICE, '<body>away 1</body>'),
      row('a5', `${ALICE}/phone`, 'bob@example.com', '<body>from the phone</body>'),
      row('a6', `${ALICE}/laptop`, 'bob@example.com', '<body>its own</body>'),
      row('a7', 'bob@example.com/d', ALICE, `<retracted xmlns='${NS.retract}' stamp='2025-01-01T00:00:00Z'/>`),
      row('a8', 'bob@example.com/d', ALICE, '<body>handed live before the presence</body>'),
    ];
    const tracker = LegacyMarkTracker.newStream(store, LAPTOP);
    tracker.handed(parseElement(rows[7]!.xml, undefined, NS.client));
    const r = await legacyReplay(fakeArchive(rows), LAPTOP, tracker, options({ carbons: true }));
    expect(bodies(r.stanzas)).toEqual(['missed while reordered', 'away 1', 'carbon:from the phone']);
    const plain = r.stanzas[0]!;
    expect(plain.getChild('delay', NS.delay)?.attrs).toMatchObject({ from: 'example.com', stamp: '2025-01-01T00:00:00Z' });
    expect(plain.getChild('stanza-id', NS.sid)?.attrs['id']).toBe('a2');
    const carbon = r.stanzas[2]!;
    expect(carbon.attrs).toMatchObject({ from: ALICE, to: LAPTOP.toString(), type: 'chat' });
    expect(carbon.getChild('sent', NS.carbons)?.getChild('forwarded', NS.forward)?.getChild('delay', NS.delay)).toBeDefined();
    // Its own message and the tombstone are left out, and count as received.
    await store.idle();
    expect(await store.load(LAPTOP.toString())).toEqual(['a1', 'a3', 'a6', 'a7']);
  });

  it('waits until the archive has written what was routed before the login, then replays all of it', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    store.save(LAPTOP.toString(), ['a1']);
    const rows = ['a1', 'a2', 'a3', 'a4'].map((id) => row(id, 'bob@example.com/d', ALICE, `<body>${id}</body>`));
    // Behind (a Cassandra outage): two rows written; it catches up after three looks at its progress.
    let looks = 0;
    const reasons: string[] = [];
    const archive = fakeArchive(rows, () => (looks <= 3 ? 2 : 4));
    const progress = archive.archivedThrough;
    archive.archivedThrough = async () => (looks++, progress());
    const r = await legacyReplay(archive, LAPTOP, LegacyMarkTracker.newStream(store, LAPTOP), options({ onRetry: (why) => reasons.push(why) }));
    expect(bodies(r.stanzas)).toEqual(['a2', 'a3', 'a4']);
    expect(reasons).toEqual(['the archive has written history through 2 of 4', 'the archive has written history through 2 of 4', 'the archive has written history through 2 of 4']);
  });

  it('an archive that does not answer is asked again until it does; a session that ends stops asking', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    store.save(LAPTOP.toString(), ['a1']);
    const rows = ['a1', 'a2'].map((id) => row(id, 'bob@example.com/d', ALICE, `<body>${id}</body>`));
    const archive = fakeArchive(rows);
    const answers = archive.page;
    let failures = 2;
    archive.page = async (a, f, iq, o) => (failures-- > 0 ? { results: [], end: el('iq', { type: 'error' }, el('error', { type: 'wait' }, el('service-unavailable', { xmlns: NS.stanzas }))) } : answers(a, f, iq, o));
    const r = await legacyReplay(archive, LAPTOP, LegacyMarkTracker.newStream(store, LAPTOP), options());
    expect(bodies(r.stanzas)).toEqual(['a2']);

    let over = false;
    archive.page = async () => {
      over = true;
      return { results: [], end: el('iq', { type: 'error' }) };
    };
    await expect(legacyReplay(archive, LAPTOP, LegacyMarkTracker.newStream(store, LAPTOP), options({ isOver: () => over }))).rejects.toBeInstanceOf(ReplayAbandoned);
    // Nothing was replayed, so the mark still says where the next replay starts.
    await store.idle();
    expect(await store.load(LAPTOP.toString())).toEqual(['a1']);
  });

  it('a mark the archive no longer knows (retention) gets the newest part', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    store.save(LAPTOP.toString(), ['gone']);
    const rows = ['a1', 'a2', 'a3'].map((id) => row(id, 'bob@example.com/d', ALICE, `<body>${id}</body>`));
    const archive = fakeArchive(rows);
    const answers = archive.page;
    archive.page = async (a, f, iq, o) => (serialize(iq).includes('gone')
      ? { results: [], end: el('iq', { type: 'error' }, el('error', { type: 'cancel' }, el('item-not-found', { xmlns: NS.stanzas }))) }
      : answers(a, f, iq, o));
    const r = await legacyReplay(archive, LAPTOP, LegacyMarkTracker.newStream(store, LAPTOP), options({ max: 2 }));
    expect(bodies(r.stanzas)).toEqual(['a2', 'a3']);
  });

  it('without carbons, what the account sent from elsewhere is left out', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    store.save(LAPTOP.toString(), ['a1']);
    const rows = [row('a1', 'bob@example.com/d', ALICE), row('a2', `${ALICE}/phone`, 'bob@example.com', '<body>sent</body>'), row('a3', 'bob@example.com/d', ALICE, '<body>got</body>')];
    const r = await legacyReplay(fakeArchive(rows), LAPTOP, LegacyMarkTracker.newStream(store, LAPTOP), options({ carbons: false }));
    expect(bodies(r.stanzas)).toEqual(['got']);
  });
});

describe('replayAnswer', () => {
  const page = (o: { n?: number; complete?: boolean; error?: boolean; unknownPosition?: boolean }) => ({ results: Array(o.n ?? 0).fill('r'), complete: o.complete ?? false, error: o.error ?? false, unknownPosition: o.unknownPosition ?? false });
  it.each([
    ['all after the mark, to the end', page({ n: 3, complete: true }), true, 'complete'],
    ['nothing after the mark', page({ complete: true }), true, 'complete'],
    ['the newest max of more', page({ n: 10 }), true, 'complete'],
    ['fewer than max and not to the end (a page cut short)', page({ n: 4 }), true, 'ask-again'],
    ['no answer', page({ error: true }), true, 'ask-again'],
    ['the mark unknown to the archive', page({ error: true, unknownPosition: true }), true, 'newest-instead'],
    ['unknown position without a mark', page({ error: true, unknownPosition: true }), false, 'ask-again'],
  ])('%s', (_what, p, afterMark, kind) => {
    expect(replayAnswer(p, 10, afterMark).kind).toBe(kind);
  });
});

describe('legacy mark tracking', () => {
  const log = createLogger('test', 'error');
  const message = (id: string) => parseElement(`<message xmlns='${NS.client}' to='${ALICE}'><body>m</body><stanza-id xmlns='${NS.sid}' by='${ALICE}' id='${id}'/></message>`, undefined, NS.client);
  const sm = () => new StreamManagement('sm1', false, { ackHoldMaxMs: 1_000, maxQueue: 100, maxQueueBytes: 1_000_000, requestEvery: 1_000 }, { sendAck: () => undefined, requestAck: () => undefined });

  it('with Stream Management, a message counts once acknowledged; a clean close counts the rest', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    const t = LegacyMarkTracker.newStream(store, LAPTOP);
    await t.previous;
    const s = sm();
    for (const id of ['m1', 'm2', 'm3']) {
      s.outbound(message(id));
      t.written(message(id), s);
    }
    s.ack(2);
    t.acked(s);
    await store.idle();
    expect(await store.load(LAPTOP.toString())).toEqual(['m1', 'm2']);
    t.closedCleanly();
    await store.idle();
    expect(await store.load(LAPTOP.toString())).toEqual(['m1', 'm2', 'm3']);
  });

  it('without it, a message counts once written; the window keeps the newest', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    const t = LegacyMarkTracker.newStream(store, LAPTOP);
    const ids = Array.from({ length: MARK_WINDOW + 3 }, (_, i) => `m${i}`);
    for (const id of ids) t.written(message(id), undefined);
    await t.previous;
    await store.idle();
    expect(await store.load(LAPTOP.toString())).toEqual(ids.slice(-MARK_WINDOW));
  });

  it('a mark that cannot be read is neither taken for a first login nor overwritten', async () => {
    const kv = fakeKv();
    kv.data.set('k', new Uint8Array());
    const failing = { ...kv, get: async () => { throw new Error('no responders'); }, put: kv.put } as unknown as KV;
    const store = new LegacyMarkStore(failing, log, { attempts: 3, firstWaitMs: 1 });
    const t = LegacyMarkTracker.newStream(store, LAPTOP);
    await expect(t.previous).rejects.toThrow('no responders');
    await expect(legacyReplay(fakeArchive([]), LAPTOP, t, options())).rejects.toThrow('no responders');
    t.written(message('m1'), undefined);
    t.begin('m0');
    await store.idle();
    expect(kv.data.size).toBe(1);
  });

  it('after a failed replay nothing the stream receives moves the mark', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    store.save(LAPTOP.toString(), ['a1']);
    const t = LegacyMarkTracker.newStream(store, LAPTOP);
    await t.previous;
    t.keepPrevious();
    t.written(message('m1'), undefined);
    t.closedCleanly();
    await store.idle();
    expect(await store.load(LAPTOP.toString())).toEqual(['a1']);
  });

  it('a resumed stream takes over what waits unacknowledged in its queue', async () => {
    const store = new LegacyMarkStore(fakeKv(), log);
    const s = sm();
    s.outbound(message('q1'));
    const t = LegacyMarkTracker.resumedStream(store, LAPTOP, s);
    expect(t.claimReplay()).toBe(false);
    s.ack(1);
    t.acked(s);
    await t.previous;
    await store.idle();
    expect(await store.load(LAPTOP.toString())).toEqual(['q1']);
  });
});
