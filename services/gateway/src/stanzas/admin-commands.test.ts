import { SCRAM_MECHANISMS, deriveScramCredential } from '@concord/sasl';
import type { AccountRecord, AccountRemoval } from '@concord/storage';
import { el, parseElement, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { ADMIN_NODES, handleAdmin, isAdminRequest, type AdminContext } from './admin-commands';

const DOMAIN = 'example.com';
const ADMIN = 'boss@example.com/laptop';
const USER = 'juliet@example.com/balcony';
const FORM_TYPE = 'http://jabber.org/protocol/admin';

/** In-memory stand-in for AccountStore: create refuses existing rows, remove reports whether one existed. */
class FakeAccounts {
  readonly rows = new Map<string, AccountRecord>();
  failing = false;

  async create(a: AccountRecord): Promise<boolean> {
    if (this.failing) throw new Error('store down');
    if (this.rows.has(a.jid)) return false;
    this.rows.set(a.jid, a);
    return true;
  }

  async remove(jid: string): Promise<AccountRemoval | undefined> {
    if (this.failing) throw new Error('store down');
    return this.rows.delete(jid) ? { rosterItems: 0, pushRegistrations: 0, notifyPrefs: 0, archiveDeletedAt: 1 } : undefined;
  }

  async get(jid: string): Promise<AccountRecord | undefined> {
    return this.rows.get(jid);
  }

  seed(...jids: string[]): void {
    for (const jid of jids) this.rows.set(jid, { jid, credentials: {}, createdAt: new Date(0), admin: false, disabled: false });
  }
}

function setup() {
  const accounts = new FakeAccounts();
  const deleted: string[] = [];
  let sessions = 0;
  const ctx: AdminContext = {
    domain: DOMAIN,
    accounts,
    isAdmin: async (bare) => bare === 'boss@example.com',
    onAccountDeleted: (bare) => deleted.push(bare),
    newSessionId: () => `s${++sessions}`,
  };
  return { accounts, deleted, ctx };
}

/** Goes through the parser, so namespaces are resolved as on the wire. */
function iq(type: string, payload: Element, attrs: Record<string, string | undefined> = {}): Element {
  return parseElement(el('iq', { xmlns: NS.client, type, id: 'q1', from: ADMIN, to: DOMAIN, ...attrs }, payload).toString());
}

const command = (node: string, attrs: Record<string, string | undefined> = {}, ...children: Element[]) =>
  el('command', { xmlns: NS.commands, node, ...attrs }, ...children);

function form(fields: Record<string, string | string[]>, type = 'submit'): Element {
  return el('x', { xmlns: NS.dataForms, type },
    ...Object.entries(fields).map(([v, values]) => el('field', { var: v }, ...[values].flat().map((value) => el('value', {}, value)))));
}

const addForm = (fields: Record<string, string | string[]>) => form({ FORM_TYPE, ...fields });

/** The reply as the client would read it: serialized and parsed again, namespaces resolved. */
async function send(request: Element, requester: string, ctx: AdminContext): Promise<Element> {
  return parseElement((await handleAdmin(request, requester, ctx)).toString());
}

/** The <command/> of a result, after checking the envelope. */
function commandOf(reply: Element, requester = ADMIN): Element {
  expect(reply.attrs).toMatchObject({ type: 'result', id: 'q1', from: DOMAIN, to: requester });
  const c = reply.getChild('command', NS.commands);
  expect(c).toBeDefined();
  return c!;
}

/** [condition, error type, XEP-0050 application condition] of an error reply. */
function errorOf(reply: Element, requester = ADMIN): [string | undefined, string | undefined, string | undefined] {
  expect(reply.attrs).toMatchObject({ type: 'error', id: 'q1', from: DOMAIN, to: requester });
  const error = reply.getChild('error')!;
  const condition = error.elements().find((e) => e.attrs['xmlns'] === NS.stanzas && e.name !== 'text');
  const app = error.elements().find((e) => e.attrs['xmlns'] === NS.commands);
  return [condition?.name, error.attrs['type'], app?.name];
}

/** Whether `password` logs in against the stored SCRAM keys, for every mechanism. */
function verifies(record: AccountRecord, password: string): boolean {
  return SCRAM_MECHANISMS.every((mech) => {
    const stored = record.credentials[mech];
    if (!stored) return false;
    return deriveScramCredential(mech, password, { salt: stored.salt, iterations: stored.iterations }).storedKey.equals(stored.storedKey);
  });
}

const fieldsOf = (x: Element) => x.getChildren('field', NS.dataForms).map((f) => ({
  var: f.attrs['var'],
  type: f.attrs['type'],
  required: f.getChild('required', NS.dataForms) !== undefined,
  values: f.getChildren('value', NS.dataForms).map((v) => v.text()),
}));

describe('isAdminRequest', () => {
  it.each<[string, Element, boolean]>([
    ['a command (set)', iq('set', command(ADMIN_NODES.addUser)), true],
    ['a command with no to', iq('set', command(ADMIN_NODES.addUser), { to: undefined }), true],
    ['a command sent as get', iq('get', command(ADMIN_NODES.addUser)), false],
    ['the command list', iq('get', el('query', { xmlns: NS.discoItems, node: NS.commands })), true],
    ['the command list with set', iq('set', el('query', { xmlns: NS.discoItems, node: NS.commands })), false],
    ['disco#items without node', iq('get', el('query', { xmlns: NS.discoItems })), false],
    ['disco#items on another node', iq('get', el('query', { xmlns: NS.discoItems, node: 'x' })), false],
    ['a command element in another namespace', iq('set', el('command', { xmlns: NS.register, node: ADMIN_NODES.addUser })), false],
    ['a ping', iq('get', el('ping', { xmlns: NS.ping })), false],
  ])('%s → %s', (_, request, expected) => {
    expect(isAdminRequest(request)).toBe(expected);
  });

  it('with the domain, leaves commands for other entities to routing', () => {
    expect(isAdminRequest(iq('set', command(ADMIN_NODES.addUser), { to: 'romeo@example.com/orchard' }), DOMAIN)).toBe(false);
    expect(isAdminRequest(iq('set', command(ADMIN_NODES.addUser), { to: DOMAIN }), DOMAIN)).toBe(true);
    expect(isAdminRequest(iq('set', command(ADMIN_NODES.addUser), { to: undefined }), DOMAIN)).toBe(true);
  });
});

describe('command list (disco#items)', () => {
  const listing = () => iq('get', el('query', { xmlns: NS.discoItems, node: NS.commands }));

  it('lists both commands for an admin', async () => {
    const { ctx } = setup();
    const reply = await send(listing(), ADMIN, ctx);
    expect(reply.attrs).toMatchObject({ type: 'result', id: 'q1', from: DOMAIN, to: ADMIN });
    const query = reply.getChild('query', NS.discoItems)!;
    expect(query.attrs['node']).toBe(NS.commands);
    expect(query.getChildren('item').map((i) => i.attrs)).toEqual([
      { xmlns: NS.discoItems, jid: DOMAIN, node: ADMIN_NODES.addUser, name: 'Add a User' },
      { xmlns: NS.discoItems, jid: DOMAIN, node: ADMIN_NODES.deleteUser, name: 'Delete a User' },
    ]);
  });

  it('is empty for anyone else', async () => {
    const { ctx } = setup();
    const reply = await send(listing(), USER, ctx);
    expect(reply.attrs).toMatchObject({ type: 'result', to: USER });
    expect(reply.getChild('query', NS.discoItems)!.elements()).toEqual([]);
  });

  it('answers from the domain when the request had no to', async () => {
    const { ctx } = setup();
    const reply = await send(iq('get', el('query', { xmlns: NS.discoItems, node: NS.commands }), { to: undefined }), ADMIN, ctx);
    expect(reply.attrs['from']).toBe(DOMAIN);
  });
});

describe('executing a command returns its form', () => {
  it.each([undefined, 'execute'])('add-user with action %s', async (action) => {
    const { ctx } = setup();
    const c = commandOf(await send(iq('set', command(ADMIN_NODES.addUser, { action })), ADMIN, ctx));
    expect(c.attrs).toMatchObject({ node: ADMIN_NODES.addUser, status: 'executing', sessionid: 's1' });
    const actions = c.getChild('actions', NS.commands)!;
    expect(actions.attrs['execute']).toBe('complete');
    expect(actions.elements().map((a) => a.name)).toEqual(['complete']);
    const x = c.getChild('x', NS.dataForms)!;
    expect(x.attrs['type']).toBe('form');
    expect(x.getChildText('title', NS.dataForms)).toBe('Adding a User');
    expect(fieldsOf(x)).toEqual([
      { var: 'FORM_TYPE', type: 'hidden', required: false, values: [FORM_TYPE] },
      { var: 'accountjid', type: 'jid-single', required: true, values: [] },
      { var: 'password', type: 'text-private', required: true, values: [] },
      { var: 'password-verify', type: 'text-private', required: false, values: [] },
    ]);
  });

  it('delete-user', async () => {
    const { ctx } = setup();
    const c = commandOf(await send(iq('set', command(ADMIN_NODES.deleteUser, { action: 'execute' })), ADMIN, ctx));
    expect(c.attrs).toMatchObject({ node: ADMIN_NODES.deleteUser, status: 'executing', sessionid: 's1' });
    expect(fieldsOf(c.getChild('x', NS.dataForms)!)).toEqual([
      { var: 'FORM_TYPE', type: 'hidden', required: false, values: [FORM_TYPE] },
      { var: 'accountjids', type: 'jid-multi', required: true, values: [] },
    ]);
  });
});

describe('add-user', () => {
  it('creates an account whose stored credentials verify the password, in two stages', async () => {
    const { ctx, accounts } = setup();
    const first = commandOf(await send(iq('set', command(ADMIN_NODES.addUser)), ADMIN, ctx));
    const sessionid = first.attrs['sessionid']!;
    const submit = command(ADMIN_NODES.addUser, { sessionid, action: 'complete' },
      addForm({ accountjid: 'Romeo@Example.com', password: 'Wherefore art thou', 'password-verify': 'Wherefore art thou' }));
    const c = commandOf(await send(iq('set', submit), ADMIN, ctx));
    expect(c.attrs).toMatchObject({ node: ADMIN_NODES.addUser, status: 'completed', sessionid });
    expect(c.getChild('note', NS.commands)!.attrs['type']).toBe('info');
    expect(c.getChildText('note', NS.commands)).toContain('romeo@example.com');

    const record = accounts.rows.get('romeo@example.com')!;
    expect(record).toMatchObject({ jid: 'romeo@example.com', admin: false, disabled: false });
    expect(Object.keys(record.credentials).sort()).toEqual([...SCRAM_MECHANISMS].sort());
    expect(verifies(record, 'Wherefore art thou')).toBe(true);
    expect(verifies(record, 'wherefore art thou')).toBe(false);
  });

  it.each([
    ['no action, no session', {}],
    ['execute, no session', { action: 'execute' }],
    ['complete, no session', { action: 'complete' }],
  ])('accepts a one-step submission (%s) and issues a session id', async (_, attrs) => {
    const { ctx, accounts } = setup();
    const c = commandOf(await send(iq('set', command(ADMIN_NODES.addUser, attrs, addForm({ accountjid: 'romeo@example.com', password: 'pw' }))), ADMIN, ctx));
    expect(c.attrs).toMatchObject({ status: 'completed', sessionid: 's1' });
    expect(verifies(accounts.rows.get('romeo@example.com')!, 'pw')).toBe(true);
  });

  it('accepts a form without FORM_TYPE', async () => {
    const { ctx, accounts } = setup();
    const c = commandOf(await send(iq('set', command(ADMIN_NODES.addUser, {}, form({ accountjid: 'romeo@example.com', password: 'pw' }))), ADMIN, ctx));
    expect(c.attrs['status']).toBe('completed');
    expect(accounts.rows.has('romeo@example.com')).toBe(true);
  });

  it('answers conflict for an existing account and leaves it alone', async () => {
    const { ctx, accounts } = setup();
    accounts.seed('romeo@example.com');
    const before = accounts.rows.get('romeo@example.com');
    const reply = await send(iq('set', command(ADMIN_NODES.addUser, {}, addForm({ accountjid: 'romeo@example.com', password: 'pw' }))), ADMIN, ctx);
    expect(errorOf(reply)).toEqual(['conflict', 'cancel', undefined]);
    expect(accounts.rows.get('romeo@example.com')).toBe(before);
  });

  it.each<[string, Element]>([
    ['a malformed JID', addForm({ accountjid: 'romeo@@example.com', password: 'pw' })],
    ['a JID of another domain', addForm({ accountjid: 'romeo@example.org', password: 'pw' })],
    ['a full JID', addForm({ accountjid: 'romeo@example.com/orchard', password: 'pw' })],
    ['the bare domain', addForm({ accountjid: DOMAIN, password: 'pw' })],
    ['no accountjid', addForm({ password: 'pw' })],
    ['two accountjids', addForm({ accountjid: ['romeo@example.com', 'tybalt@example.com'], password: 'pw' })],
    ['a mismatched verification', addForm({ accountjid: 'romeo@example.com', password: 'pw', 'password-verify': 'pW' })],
    ['no password', addForm({ accountjid: 'romeo@example.com' })],
    ['an empty password', addForm({ accountjid: 'romeo@example.com', password: '' })],
    ['a wrong FORM_TYPE', form({ FORM_TYPE: 'urn:example:other', accountjid: 'romeo@example.com', password: 'pw' })],
    ['a form that is not a submission', form({ FORM_TYPE, accountjid: 'romeo@example.com', password: 'pw' }, 'form')],
    ['a field given twice', el('x', { xmlns: NS.dataForms, type: 'submit' },
      el('field', { var: 'accountjid' }, el('value', {}, 'romeo@example.com')),
      el('field', { var: 'accountjid' }, el('value', {}, 'tybalt@example.com')),
      el('field', { var: 'password' }, el('value', {}, 'pw')))],
  ])('refuses %s with bad-request and bad-payload', async (_, x) => {
    const { ctx, accounts } = setup();
    const reply = await send(iq('set', command(ADMIN_NODES.addUser, { action: 'complete' }, x)), ADMIN, ctx);
    expect(errorOf(reply)).toEqual(['bad-request', 'modify', 'bad-payload']);
    expect(accounts.rows.size).toBe(0);
  });

  it('does not echo the submitted password in an error', async () => {
    const { ctx } = setup();
    const reply = await send(iq('set', command(ADMIN_NODES.addUser, {}, addForm({ accountjid: 'romeo@example.org', password: 'sekrit-42' }))), ADMIN, ctx);
    expect(reply.attrs['type']).toBe('error');
    expect(reply.toString()).not.toContain('sekrit-42');
  });

  it('accepts an empty verification as not given', async () => {
    const { ctx, accounts } = setup();
    const c = commandOf(await send(iq('set', command(ADMIN_NODES.addUser, {}, addForm({ accountjid: 'romeo@example.com', password: 'pw', 'password-verify': '' }))), ADMIN, ctx));
    expect(c.attrs['status']).toBe('completed');
    expect(accounts.rows.has('romeo@example.com')).toBe(true);
  });
});

describe('delete-user', () => {
  const remove = (jids: string[], attrs: Record<string, string> = { action: 'complete' }) =>
    iq('set', command(ADMIN_NODES.deleteUser, attrs, form({ FORM_TYPE, accountjids: jids })));

  it('deletes existing accounts, reports the missing ones, and ends only the deleted accounts\' sessions', async () => {
    const { ctx, accounts, deleted } = setup();
    accounts.seed('romeo@example.com', 'tybalt@example.com', 'nurse@example.com');
    const c = commandOf(await send(remove(['romeo@example.com', 'Tybalt@example.com', 'mercutio@example.com'], { sessionid: 'abc', action: 'complete' }), ADMIN, ctx));
    expect(c.attrs).toMatchObject({ node: ADMIN_NODES.deleteUser, status: 'completed', sessionid: 'abc' });
    const note = c.getChild('note', NS.commands)!;
    expect(note.attrs['type']).toBe('warn');
    expect(note.text()).toBe('Deleted: romeo@example.com, tybalt@example.com. Not found: mercutio@example.com.');
    expect([...accounts.rows.keys()]).toEqual(['nurse@example.com']);
    expect(deleted).toEqual(['romeo@example.com', 'tybalt@example.com']);
  });

  it('reports an info note when every account existed, and removes duplicates once', async () => {
    const { ctx, accounts, deleted } = setup();
    accounts.seed('romeo@example.com');
    const c = commandOf(await send(remove(['romeo@example.com', ' romeo@example.com ', '']), ADMIN, ctx));
    expect(c.getChild('note', NS.commands)!.attrs['type']).toBe('info');
    expect(c.getChildText('note', NS.commands)).toBe('Deleted: romeo@example.com.');
    expect(deleted).toEqual(['romeo@example.com']);
  });

  it('reports when nothing was there to delete', async () => {
    const { ctx, deleted } = setup();
    const c = commandOf(await send(remove(['mercutio@example.com']), ADMIN, ctx));
    expect(c.getChildText('note', NS.commands)).toBe('No account deleted. Not found: mercutio@example.com.');
    expect(deleted).toEqual([]);
  });

  it.each([
    ['one address of another domain', ['romeo@example.com', 'juliet@example.org']],
    ['one malformed address', ['romeo@example.com', '@example.com']],
    ['one full JID', ['romeo@example.com', 'tybalt@example.com/sword']],
    ['no address', []],
  ])('deletes nothing for %s', async (_, jids) => {
    const { ctx, accounts, deleted } = setup();
    accounts.seed('romeo@example.com', 'tybalt@example.com');
    expect(errorOf(await send(remove(jids), ADMIN, ctx))).toEqual(['bad-request', 'modify', 'bad-payload']);
    expect(accounts.rows.size).toBe(2);
    expect(deleted).toEqual([]);
  });
});

describe('cancel', () => {
  it.each([ADMIN_NODES.addUser, ADMIN_NODES.deleteUser])('ends %s with status canceled and does nothing', async (node) => {
    const { ctx, accounts, deleted } = setup();
    accounts.seed('romeo@example.com');
    const x = node === ADMIN_NODES.addUser ? addForm({ accountjid: 'tybalt@example.com', password: 'pw' }) : form({ accountjids: 'romeo@example.com' });
    const c = commandOf(await send(iq('set', command(node, { sessionid: 's9', action: 'cancel' }, x)), ADMIN, ctx));
    expect(c.attrs).toEqual({ xmlns: NS.commands, node, sessionid: 's9', status: 'canceled' });
    expect(c.elements()).toEqual([]);
    expect([...accounts.rows.keys()]).toEqual(['romeo@example.com']);
    expect(deleted).toEqual([]);
  });
});

describe('authorization', () => {
  it.each<[string, Element]>([
    ['executing add-user', command(ADMIN_NODES.addUser)],
    ['submitting add-user', command(ADMIN_NODES.addUser, {}, addForm({ accountjid: 'romeo@example.com', password: 'pw' }))],
    ['submitting delete-user', command(ADMIN_NODES.deleteUser, {}, form({ accountjids: 'boss@example.com' }))],
    ['canceling', command(ADMIN_NODES.addUser, { action: 'cancel', sessionid: 's1' })],
    ['an unknown node', command('http://jabber.org/protocol/admin#shutdown')],
  ])('refuses a non-admin %s with forbidden (auth) and changes nothing', async (_, payload) => {
    const { ctx, accounts, deleted } = setup();
    accounts.seed('boss@example.com');
    const reply = await send(iq('set', payload, { from: USER }), USER, ctx);
    expect(errorOf(reply, USER)).toEqual(['forbidden', 'auth', undefined]);
    expect([...accounts.rows.keys()]).toEqual(['boss@example.com']);
    expect(deleted).toEqual([]);
  });

  it('asks isAdmin about the bare JID of the requester', async () => {
    const { ctx } = setup();
    const asked: string[] = [];
    ctx.isAdmin = (bare) => (asked.push(bare), true);
    await send(iq('set', command(ADMIN_NODES.addUser), { from: USER }), USER, ctx);
    expect(asked).toEqual(['juliet@example.com']);
  });
});

describe('malformed and unknown requests', () => {
  it.each<[string, Element, [string, string, string | undefined]]>([
    ['an unknown node', iq('set', command('http://jabber.org/protocol/admin#shutdown')), ['item-not-found', 'cancel', undefined]],
    ['a command without node', iq('set', el('command', { xmlns: NS.commands, action: 'execute' })), ['bad-request', 'modify', undefined]],
    ['a command sent with get', iq('get', command(ADMIN_NODES.addUser)), ['bad-request', 'modify', undefined]],
    ['an unknown action', iq('set', command(ADMIN_NODES.addUser, { action: 'jump' })), ['bad-request', 'modify', 'malformed-action']],
    ['action prev', iq('set', command(ADMIN_NODES.addUser, { action: 'prev', sessionid: 's1' })), ['bad-request', 'modify', 'bad-action']],
    ['action next', iq('set', command(ADMIN_NODES.addUser, { action: 'next', sessionid: 's1' })), ['bad-request', 'modify', 'bad-action']],
    ['complete without a form', iq('set', command(ADMIN_NODES.addUser, { action: 'complete' })), ['bad-request', 'modify', 'bad-payload']],
    ['continuing a session without a form', iq('set', command(ADMIN_NODES.addUser, { sessionid: 's1' })), ['bad-request', 'modify', 'bad-payload']],
    ['disco#items on another node', iq('get', el('query', { xmlns: NS.discoItems, node: 'elsewhere' })), ['item-not-found', 'cancel', undefined]],
    ['the command list with set', iq('set', el('query', { xmlns: NS.discoItems, node: NS.commands })), ['bad-request', 'modify', undefined]],
    ['two payloads', parseElement(el('iq', { xmlns: NS.client, type: 'set', id: 'q1', to: DOMAIN }, command(ADMIN_NODES.addUser), command(ADMIN_NODES.deleteUser)).toString()), ['bad-request', 'modify', undefined]],
  ])('%s', async (_, request, expected) => {
    const { ctx } = setup();
    expect(errorOf(await send(request, ADMIN, ctx))).toEqual(expected);
  });

  it('answers internal-server-error when the store fails', async () => {
    const { ctx, accounts } = setup();
    accounts.failing = true;
    const reply = await send(iq('set', command(ADMIN_NODES.addUser, {}, addForm({ accountjid: 'romeo@example.com', password: 'pw' }))), ADMIN, ctx);
    expect(errorOf(reply)).toEqual(['internal-server-error', 'cancel', undefined]);
  });

  it('answers internal-server-error when isAdmin fails', async () => {
    const { ctx } = setup();
    ctx.isAdmin = async () => {
      throw new Error('directory down');
    };
    expect(errorOf(await send(iq('set', command(ADMIN_NODES.addUser)), ADMIN, ctx))).toEqual(['internal-server-error', 'cancel', undefined]);
  });
});
