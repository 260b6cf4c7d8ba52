import { parseJid } from '@concord/jid';
import type { AccountStore } from '@concord/storage';
import { parseElement, serialize, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { AuthThrottle } from '@concord/sasl';
import type { GatewayConfig } from '../config';
import type { ArchiveQuerier } from '../producers/archive-query';
import type { PushSettingsClient } from '../producers/push-settings';
import type { RosterQuerier } from '../producers/roster-query';
import { localHandlers, type HandlerDeps, type HandlerSession } from './index';

const jid = parseJid('alice@example.com/phone');

function deps(over: Partial<HandlerDeps> = {}): HandlerDeps {
  return {
    config: { domain: 'example.com', admins: [], registration: true } as unknown as GatewayConfig,
    accounts: {} as AccountStore,
    registrationThrottle: {} as AuthThrottle,
    archive: { query: async () => [] } as unknown as ArchiveQuerier,
    roster: { query: async () => [] } as RosterQuerier,
    push: { available: true, forward: async () => undefined } as unknown as PushSettingsClient,
    endAccount: () => undefined,
    newId: () => 'id',
    ...over,
  };
}

function session(): HandlerSession & { out: Element[]; carbons?: boolean; rosterUser: boolean } {
  const s = {
    jid, streamId: 's1', remoteAddress: '192.0.2.1', info: { clientId: 'c' }, pushEnabled: false, out: [] as Element[], rosterUser: false,
    carbons: undefined as boolean | undefined,
    deliver: (e: Element) => void s.out.push(e),
    setCarbons: async (enable: boolean) => void (s.carbons = enable),
    rosterRequested: () => void (s.rosterUser = true),
  };
  return s;
}

const iq = (attrs: string, payload: string) => parseElement(`<iq xmlns='${NS.client}' id='q1' ${attrs}>${payload}</iq>`);

describe('the stanzas the gateway answers itself', () => {
  const handlers = localHandlers(deps());
  const claimer = (e: Element) => handlers.find((h) => h.claims(e, { jid }))?.name;

  it.each([
    ['disco#info on the own bare JID', iq(`type='get' to='alice@example.com'`, `<query xmlns='${NS.discoInfo}'/>`), 'own-disco-info'],
    ['disco#info on a node of the own bare JID (a PEP node: routed)', iq(`type='get' to='alice@example.com'`, `<query xmlns='${NS.discoInfo}' node='x'/>`), undefined],
    ['disco#info on someone else', iq(`type='get' to='bob@example.com'`, `<query xmlns='${NS.discoInfo}'/>`), undefined],
    ['a MAM query on the own archive', iq(`type='set'`, `<query xmlns='${NS.mam}'/>`), 'own-archive'],
    ['MAM preferences of the own archive', iq(`type='get'`, `<prefs xmlns='${NS.mam}'/>`), 'mam-prefs'],
    ['MAM preferences of another archive', iq(`type='get' to='bob@example.com'`, `<prefs xmlns='${NS.mam}'/>`), undefined],
    ['a MAM query on another archive', iq(`type='set' to='room@rooms.example.com'`, `<query xmlns='${NS.mam}'/>`), undefined],
    ['a push enable', iq(`type='set'`, `<enable xmlns='${NS.push}' jid='push.example.net' node='n'/>`), 'push-settings'],
    ['a roster get', iq(`type='get'`, `<query xmlns='${NS.roster}'/>`), 'roster'],
    ['a roster get on the own bare JID', iq(`type='get' to='alice@example.com'`, `<query xmlns='${NS.roster}'/>`), 'roster'],
    ["a roster get on someone else's", iq(`type='get' to='bob@example.com'`, `<query xmlns='${NS.roster}'/>`), undefined],
    ['carbons enable', iq(`type='set'`, `<enable xmlns='${NS.carbons}'/>`), 'carbons'],
    ['the command list of the server', iq(`type='get' to='example.com'`, `<query xmlns='${NS.discoItems}' node='${NS.commands}'/>`), 'admin'],
    ["a command of a client (another entity's)", iq(`type='set' to='bob@example.com/pc'`, `<command xmlns='${NS.commands}' node='x' action='execute'/>`), undefined],
    ['a registration form request', iq(`type='get'`, `<query xmlns='${NS.register}'/>`), 'registration'],
    ['a registration request to another entity', iq(`type='get' to='example.net'`, `<query xmlns='${NS.register}'/>`), undefined],
    ['a message', parseElement(`<message xmlns='${NS.client}' to='bob@example.com'><body>hi</body></message>`), undefined],
  ])('%s: %s', (_what, stanza, expected) => {
    expect(claimer(stanza)).toBe(expected);
  });

  it('answers disco#info on the own account with push listed while the push service works', async () => {
    const s = session();
    const e = iq(`type='get' to='alice@example.com'`, `<query xmlns='${NS.discoInfo}'/>`);
    await handlers.find((h) => h.name === 'own-disco-info')!.handle(e, s);
    expect(s.out).toHaveLength(1);
    expect(s.out[0]!.attrs['to']).toBe(jid.toString());
    expect(s.out[0]!.getChild('query', NS.discoInfo)!.getChildren('feature').map((f) => f.attrs['var'])).toContain(NS.push);
  });

  it('sets carbons through the session and answers once it is done', async () => {
    const s = session();
    await handlers.find((h) => h.name === 'carbons')!.handle(iq(`type='set'`, `<disable xmlns='${NS.carbons}'/>`), s);
    expect(s.carbons).toBe(false);
    expect(s.out.map((e) => e.attrs['type'])).toEqual(['result']);
  });

  it('marks the session a roster user before it asks the presence service', async () => {
    const s = session();
    const asked: string[] = [];
    const roster = { query: async (asker: { fullJid: string }) => (asked.push(asker.fullJid), [iq(`type='result'`, '')]) } as unknown as RosterQuerier;
    await localHandlers(deps({ roster })).find((h) => h.name === 'roster')!.handle(iq(`type='get'`, `<query xmlns='${NS.roster}'/>`), s);
    expect(s.rosterUser).toBe(true);
    expect(asked).toEqual([jid.toString()]);
    expect(s.out).toHaveLength(1);
  });

  it('asks the archive as the session and writes every answer', async () => {
    const s = session();
    const froms: string[] = [];
    const archive = { query: async (_account: string, _session: string, q: Element) => (froms.push(q.attrs['from']!), [iq(`type='result'`, ''), iq(`type='result'`, '')]) } as unknown as ArchiveQuerier;
    await localHandlers(deps({ archive })).find((h) => h.name === 'own-archive')!.handle(iq(`type='set'`, `<query xmlns='${NS.mam}'/>`), s);
    expect(froms).toEqual([jid.toString()]);
    expect(s.out).toHaveLength(2);
  });

  it.each([
    ['a get', `type='get'`, `<prefs xmlns='${NS.mam}'/>`, 'result', "default='always'><always/><never/></prefs>"],
    ['a set of default=always (what clients send to turn archiving on)', `type='set'`, `<prefs xmlns='${NS.mam}' default='always'><always><jid>bob@example.com</jid></always><never/></prefs>`, 'result', "default='always'><always><jid>bob@example.com</jid></always><never/></prefs>"],
    ['a set of default=roster: the preferences applied', `type='set'`, `<prefs xmlns='${NS.mam}' default='roster'/>`, 'result', "default='always'><always/><never/></prefs>"],
    ['a set that names a JID never to archive: the preferences applied', `type='set'`, `<prefs xmlns='${NS.mam}' default='always'><always/><never><jid>bob@example.com</jid></never></prefs>`, 'result', "default='always'><always/><never/></prefs>"],
  ])('answers MAM preferences: %s', async (_what, attrs, payload, type, contains) => {
    const s = session();
    await handlers.find((h) => h.name === 'mam-prefs')!.handle(iq(attrs, payload), s);
    expect(s.out).toHaveLength(1);
    expect(s.out[0]!.attrs['type']).toBe(type);
    expect(serialize(s.out[0]!)).toContain(contains);
  });
});
