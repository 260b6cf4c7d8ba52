import { parseJid } from '@concord/jid';
import { el, serialize, type Element } from '@concord/xml';
import { NS, carbonCopy } from '@concord/xmpp';
import { Form, rebuild, referenceOf, replayStart, resendPlan, RECENT_IDS, pushRecent, queuedOf, UNSENT_REPLAY_SLACK_MS, type SmQueued } from './sm-record';

const alicePhone = parseJid('alice@example/phone');
const sid = (by: string, id: string) => el('stanza-id', { xmlns: NS.sid, by, id });
const archivedCopy = (id: string) => el('message', { xmlns: NS.client, from: 'bob@example/desk', to: 'alice@example', type: 'chat', id: 'm1' }, el('body', {}, 'hi'), sid('alice@example', id));
const serverDelay = el('delay', { xmlns: NS.delay, from: 'example', stamp: '2026-01-01T00:00:00Z' });
const parse = (xml: string) => el('parsed', { xml });

describe('referenceOf: what the record keeps of an outbound stanza', () => {
  const ownSent = el('message', { xmlns: NS.client, from: 'alice@example/laptop', to: 'bob@example', type: 'chat' }, el('body', {}, 'yo'), sid('alice@example', 'S1'));
  it.each<[string, Element, { archiveId: string; form: Form } | undefined]>([
    ['a live delivery of an archived message', archivedCopy('A1'), { archiveId: 'A1', form: Form.FORM_MESSAGE }],
    ['a replayed one (server delay last)', archivedCopy('A1').append(serverDelay.clone()), { archiveId: 'A1', form: Form.FORM_DELAYED }],
    ['a sender\'s own delay is part of the archived copy', el('message', { to: 'alice@example' }, el('delay', { xmlns: NS.delay, from: 'bob@example/desk' }), sid('alice@example', 'A2')), { archiveId: 'A2', form: Form.FORM_MESSAGE }],
    ['a <sent/> carbon of the archived copy', carbonCopy('sent', 'alice@example', 'alice@example/phone', ownSent), { archiveId: 'S1', form: Form.FORM_SENT_CARBON }],
    ['a replayed <sent/> carbon', carbonCopy('sent', 'alice@example', 'alice@example/phone', ownSent, serverDelay.clone()), { archiveId: 'S1', form: Form.FORM_DELAYED_SENT_CARBON }],
    ['a carbon addressed to another session', carbonCopy('sent', 'alice@example', 'alice@example/tablet', ownSent), undefined],
    ['a stanza-id of another account', el('message', {}, sid('bob@example', 'B1')), undefined],
    ['two stanza-ids of the account (not a server-made copy)', el('message', {}, sid('alice@example', 'X'), sid('alice@example', 'Y')), undefined],
    ['an error', el('message', { type: 'error' }, sid('alice@example', 'A1')), undefined],
    ['an ephemeral message', el('message', { type: 'chat' }, el('body', {}, 'typing')), undefined],
    ['a MAM result of a client query', el('message', {}, el('result', { xmlns: NS.mam, queryid: 'q1', id: 'A1' }), sid('alice@example', 'A1')), undefined],
    ['an IQ', el('iq', { type: 'result' }), undefined],
    ['presence', el('presence', {}), undefined],
  ])('%s', (_what, stanza, expected) => {
    expect(referenceOf(stanza, alicePhone)).toEqual(expected);
  });

  it('keeps XML for anything else', () => {
    const iq = el('iq', { type: 'result', id: '1' });
    expect(queuedOf(iq, undefined)).toEqual({ xml: serialize(iq), archiveId: '', form: Form.FORM_XML });
    expect(queuedOf(archivedCopy('A1'), { archiveId: 'A1', form: Form.FORM_MESSAGE })).toEqual({ xml: '', archiveId: 'A1', form: Form.FORM_MESSAGE });
  });
});

describe('rebuild: a queued entry back as the stanza the session was sent', () => {
  const archived = { result: el('message', {}, el('result', { xmlns: NS.mam, queryid: 'catchup', id: 'A1' })), message: archivedCopy('A1'), stamp: '2026-01-01T00:00:00Z' };
  const q = (form: Form, xml = ''): SmQueued => ({ xml, archiveId: 'A1', form });

  it.each<[string, Form, (s: Element) => unknown, unknown]>([
    ['a live delivery is the archived copy', Form.FORM_MESSAGE, (s) => serialize(s), serialize(archivedCopy('A1'))],
    ['a replay gets the server delay', Form.FORM_DELAYED, (s) => serialize(s), serialize(archivedCopy('A1').append(serverDelay.clone()))],
    ['a carbon wraps it for the session', Form.FORM_SENT_CARBON, (s) => serialize(s), serialize(carbonCopy('sent', 'alice@example', 'alice@example/phone', archivedCopy('A1')))],
    ['a replayed carbon has the delay inside', Form.FORM_DELAYED_SENT_CARBON, (s) => serialize(s), serialize(carbonCopy('sent', 'alice@example', 'alice@example/phone', archivedCopy('A1'), serverDelay.clone()))],
    ['a catch-up result is the archive\'s result', Form.FORM_CATCHUP_RESULT, (s) => s, archived.result],
  ])('%s', (_what, form, view, expected) => {
    expect(view(rebuild(q(form), archived, alicePhone, parse)!)).toEqual(expected);
  });

  it('parses XML entries and leaves out messages no longer archived', () => {
    expect(rebuild(q(Form.FORM_XML, '<iq/>'), undefined, alicePhone, parse)!.attrs['xml']).toBe('<iq/>');
    expect(rebuild(q(Form.FORM_MESSAGE), undefined, alicePhone, parse)).toBeUndefined();
  });
});

describe('resendPlan: what a resumption from the record re-sends', () => {
  const queued = (n: number) => Array.from({ length: n }, (_, i): SmQueued => ({ xml: '', archiveId: `A${i}`, form: Form.FORM_MESSAGE }));
  const ids = (p: ReturnType<typeof resendPlan>) => p && { acked: p.acked, resend: p.resend.map((q) => q.archiveId) };
  it.each<[string, { outboundSent: number; outboundAcked: number; queued: SmQueued[] }, number, unknown]>([
    ['the client read nothing of the queue', { outboundSent: 10, outboundAcked: 7, queued: queued(3) }, 7, { acked: 7, resend: ['A0', 'A1', 'A2'] }],
    ['the client read part of it (its ack never reached the record)', { outboundSent: 10, outboundAcked: 7, queued: queued(3) }, 9, { acked: 9, resend: ['A2'] }],
    ['the client read all of it', { outboundSent: 10, outboundAcked: 7, queued: queued(3) }, 10, { acked: 10, resend: [] }],
    ['more than was sent is impossible', { outboundSent: 10, outboundAcked: 7, queued: queued(3) }, 11, undefined],
    ['an h below an earlier ack counts as that ack', { outboundSent: 10, outboundAcked: 7, queued: queued(3) }, 5, { acked: 7, resend: ['A0', 'A1', 'A2'] }],
    ['h wraps at 2^32', { outboundSent: 2 ** 32 + 2, outboundAcked: 2 ** 32 - 1, queued: queued(3) }, 1, { acked: 2 ** 32 + 1, resend: ['A2'] }],
    ['not an integer', { outboundSent: 10, outboundAcked: 7, queued: queued(3) }, 1.5, undefined],
    ['negative', { outboundSent: 10, outboundAcked: 7, queued: queued(3) }, -1, undefined],
  ])('%s', (_what, record, h, expected) => {
    expect(ids(resendPlan(record, h))).toEqual(expected);
  });
});

describe('replayStart: where the replay of what a dead gateway missed begins', () => {
  const ref = (id: string): SmQueued => ({ xml: '', archiveId: id, form: Form.FORM_MESSAGE });
  it.each<[string, { recentArchiveIds: string[]; queued: SmQueued[]; boundAtMs: number }, unknown]>([
    ['after the oldest recent ID, leaving out the recent and the queued ones',
      { recentArchiveIds: ['R1', 'R2'], queued: [ref('R2'), ref('Q3'), { xml: '<iq/>', archiveId: '', form: Form.FORM_XML }], boundAtMs: 0 },
      { afterId: 'R1', skip: new Set(['R1', 'R2', 'Q3']) }],
    ['with nothing archived sent yet, from shortly before the session was bound',
      { recentArchiveIds: [], queued: [], boundAtMs: Date.parse('2026-01-01T00:00:10Z') },
      { since: new Date(Date.parse('2026-01-01T00:00:10Z') - UNSENT_REPLAY_SLACK_MS).toISOString(), skip: new Set() }],
  ])('%s', (_what, record, expected) => {
    expect(replayStart(record)).toEqual(expected);
  });

  it('keeps the last RECENT_IDS IDs, oldest first', () => {
    const recent: string[] = [];
    for (let i = 0; i < RECENT_IDS + 3; i++) pushRecent(recent, `A${i}`);
    expect(recent).toHaveLength(RECENT_IDS);
    expect(recent[0]).toBe('A3');
    expect(recent.at(-1)).toBe(`A${RECENT_IDS + 2}`);
  });
});
