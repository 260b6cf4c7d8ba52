import { parseElement, serialize, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { CsiQueue, csiVerdict } from './csi-queue';

const BOB = 'bob@example.com';
const stanza = (xml: string): Element => parseElement(xml, undefined, NS.client);
const presence = (from: string, show = '') => stanza(`<presence from='${from}' to='${BOB}'>${show ? `<show>${show}</show>` : ''}</presence>`);
const chatState = (from: string, state: string) => stanza(`<message from='${from}' to='${BOB}' type='chat'><${state} xmlns='${NS.chatStates}'/></message>`);
const receipt = (from: string, id: string) => stanza(`<message from='${from}' to='${BOB}'><received xmlns='${NS.receipts}' id='${id}'/></message>`);
const marker = (from: string, id: string) => stanza(`<message from='${from}' to='${BOB}'><displayed xmlns='${NS.markers}' id='${id}'/></message>`);
const body = (from: string, text: string) => stanza(`<message from='${from}' to='${BOB}' type='chat'><body>${text}</body><active xmlns='${NS.chatStates}'/></message>`);
const texts = (out: Element[]) => out.map((s) => serialize(s));

describe('csiVerdict (DESIGN §3.2)', () => {
  it.each([
    ['an urgent message', body('alice@example.com/phone', 'hi'), true, 'flush'],
    ['available presence', presence('alice@example.com/phone'), false, 'replace'],
    ['unavailable presence', stanza(`<presence from='alice@example.com/phone' type='unavailable'/>`), false, 'replace'],
    ['a subscription request', stanza(`<presence from='alice@example.com' type='subscribe'/>`), false, 'hold'],
    ['a chat state', chatState('alice@example.com/phone', 'composing'), false, 'replace'],
    ['a receipt', receipt('alice@example.com/phone', 'm1'), false, 'hold'],
    ['a chat marker', marker('alice@example.com/phone', 'm1'), false, 'hold'],
    ['a chat state beside a receipt', stanza(`<message from='alice@example.com/phone'><active xmlns='${NS.chatStates}'/><received xmlns='${NS.receipts}' id='m1'/></message>`), false, 'hold'],
  ])('%s: %s', (_name, s, urgent, action) => {
    const v = csiVerdict(s, urgent);
    expect(v.action).toBe(action);
    expect(v.reason).not.toBe('');
  });

  it('keys presence by contact resource and chat states by conversation', () => {
    expect(csiVerdict(presence('alice@example.com/phone'), false)).toMatchObject({ key: `presence alice@example.com/phone` });
    const theirs = csiVerdict(chatState('alice@example.com/phone', 'composing'), false);
    const reflected = csiVerdict(stanza(`<message from='${BOB}/laptop' to='alice@example.com'><paused xmlns='${NS.chatStates}'/></message>`), false);
    expect(theirs).toMatchObject({ action: 'replace' });
    expect(reflected).toMatchObject({ action: 'replace', key: (theirs as { key: string }).key });
  });
});

describe('CsiQueue', () => {
  it('passes everything through while active', () => {
    const q = new CsiQueue();
    const p = presence('alice@example.com/phone');
    expect(q.offer(p, false)).toEqual([p]);
  });

  it('holds presence coalesced per contact, the last chat state per conversation, receipts and markers in order; an urgent stanza flushes them first', () => {
    const q = new CsiQueue();
    q.setInactive(true);
    const held = [
      presence('alice@example.com/phone', 'away'),
      chatState('alice@example.com/phone', 'composing'),
      receipt('alice@example.com/phone', 'r1'),
      presence('carol@example.com/desk'),
      marker('alice@example.com/phone', 'r1'),
      chatState('alice@example.com/phone', 'paused'),
      presence('alice@example.com/phone', 'dnd'),
    ];
    for (const s of held) expect(q.offer(s, false)).toEqual([]);
    const urgent = body('alice@example.com/phone', 'wake up');
    const out = q.offer(urgent, true);
    expect(texts(out)).toEqual(texts([held[2]!, held[3]!, held[4]!, held[5]!, held[6]!, urgent]));
    expect(q.size).toBe(0);
  });

  it('going active sends what was held, in order', () => {
    const q = new CsiQueue();
    q.setInactive(true);
    const a = receipt('alice@example.com/phone', 'a');
    const b = presence('carol@example.com/desk');
    q.offer(a, false);
    q.offer(b, false);
    expect(q.setInactive(false)).toEqual([a, b]);
    expect(q.inactive).toBe(false);
  });

  it('sends everything held when the queue is full', () => {
    const q = new CsiQueue(3);
    q.setInactive(true);
    const r = ['1', '2', '3'].map((id) => receipt('alice@example.com/phone', id));
    expect(q.offer(r[0]!, false)).toEqual([]);
    expect(q.offer(r[1]!, false)).toEqual([]);
    expect(q.offer(r[2]!, false)).toEqual(r);
    expect(q.size).toBe(0);
  });
});
