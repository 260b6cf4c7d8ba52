import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { isPushSettingsRequest } from './push-settings';

const ALICE = 'alice@example.com';
const iq = (attrs: string, payload: string) => parseElement(`<iq xmlns='${NS.client}' id='i1' ${attrs}>${payload}</iq>`);

describe('push settings requests the gateway forwards to the push service', () => {
  it.each([
    ['enable, no to', iq("type='set'", `<enable xmlns='${NS.push}' jid='p.example' node='n'/>`), true],
    ['disable to the own bare JID', iq(`type='set' to='${ALICE}'`, `<disable xmlns='${NS.push}' jid='p.example'/>`), true],
    ['notify get', iq("type='get'", `<notify xmlns='${NS.concord}'/>`), true],
    ['enable to another account', iq("type='set' to='bob@example.com'", `<enable xmlns='${NS.push}' jid='p.example' node='n'/>`), false],
    ['enable to the domain', iq("type='set' to='example.com'", `<enable xmlns='${NS.push}' jid='p.example' node='n'/>`), false],
    ['a result carrying the payload', iq("type='result'", `<notify xmlns='${NS.concord}'/>`), false],
    ['another namespace', iq("type='set'", `<enable xmlns='${NS.carbons}'/>`), false],
  ])('%s → %s', (_what, stanza, expected) => {
    expect(isPushSettingsRequest(stanza, ALICE)).toBe(expected);
  });
});
