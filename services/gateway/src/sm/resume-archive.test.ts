import { parseJid } from '@concord/jid';
import { el, serialize, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { missedForm } from './resume-archive';

const phone = parseJid('alice@example/phone');
const stamp = '2026-01-01T00:00:00Z';
const delay = () => el('delay', { xmlns: NS.delay, from: 'example', stamp });
const fromBob = () => el('message', { from: 'bob@example/desk', to: 'alice@example', type: 'chat' }, el('body', {}, 'hi'));
const fromLaptop = () => el('message', { from: 'alice@example/laptop', to: 'bob@example', type: 'chat' }, el('body', {}, 'yo'));
const fromPhone = () => el('message', { from: 'alice@example/phone', to: 'bob@example', type: 'chat' }, el('body', {}, 'me'));
const retracted = () => el('message', { from: 'bob@example/desk', to: 'alice@example' }, el('retracted', { xmlns: NS.retract }));

describe('missedForm: an archived message as the resumed session would have had it live', () => {
  it.each<[string, Element, { imNg: boolean; carbons: boolean }, string | undefined]>([
    ['2.0: a message to the account, with a delay', fromBob(), { imNg: true, carbons: false }, serialize(fromBob().append(delay()))],
    ['2.0: the account\'s own message from another session (reflected)', fromLaptop(), { imNg: true, carbons: false }, serialize(fromLaptop().append(delay()))],
    ['2.0: not its own message back', fromPhone(), { imNg: true, carbons: false }, undefined],
    ['2.0: not a retracted one', retracted(), { imNg: true, carbons: false }, undefined],
    ['legacy: a message to the account', fromBob(), { imNg: false, carbons: false }, serialize(fromBob().append(delay()))],
    ['legacy without carbons: not the account\'s own', fromLaptop(), { imNg: false, carbons: false }, undefined],
  ])('%s', (_what, message, session, expected) => {
    const got = missedForm(message, stamp, phone, session);
    expect(got && serialize(got)).toEqual(expected);
  });

  it('legacy with carbons: the account\'s own message as a <sent/> carbon', () => {
    const got = missedForm(fromLaptop(), stamp, phone, { imNg: false, carbons: true })!;
    expect(got.getChild('sent', NS.carbons)?.getChild('forwarded', NS.forward)?.getChild('message', NS.client)?.getChildText('body')).toBe('yo');
    expect(got.attrs['to']).toBe('alice@example/phone');
  });
});
