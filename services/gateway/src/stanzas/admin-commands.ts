import { JidError, parseJid, tryParseJid, type Jid } from '@concord/jid';
import { PasswordError, deriveAllCredentials, preparePassword } from '@concord/sasl';
import type { AccountStore } from '@concord/storage';
import { el, type Element } from '@concord/xml';
import { NS, stanzaErrorChild, type StanzaErrorCondition } from '@concord/xmpp';

/** The XEP-0133 commands Concord offers, by node: the one registry of admin nodes. */
export const ADMIN_NODES = {
  addUser: 'http://jabber.org/protocol/admin#add-user',
  deleteUser: 'http://jabber.org/protocol/admin#delete-user',
} as const;

export type AdminNode = (typeof ADMIN_NODES)[keyof typeof ADMIN_NODES];

/** The XEP-0133 FORM_TYPE of both forms. */
const ADMIN_FORM_TYPE = NS.admin;

export interface AdminContext {
  domain: string;
  accounts: Pick<AccountStore, 'create' | 'remove' | 'get'>;
  /** Whether the requesting account (bare JID) may administer. */
  isAdmin(bareJid: string): boolean | Promise<boolean>;
  /** Sessions of a deleted account are ended by the caller through this. */
  onAccountDeleted?(bareJid: string): void;
  /** Fresh session ids for multi-stage commands. */
  newSessionId(): string;
}

/** XEP-0050 §4.6 application-specific error conditions (in NS.commands). */
type CommandErrorCondition = 'bad-action' | 'bad-payload' | 'bad-sessionid' | 'malformed-action' | 'session-expired';

/** A request refused with a stanza error; thrown inside this module and turned into the reply. */
class Refusal extends Error {
  constructor(
    readonly condition: StanzaErrorCondition,
    message: string,
    readonly app?: CommandErrorCondition,
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

const badPayload = (text: string) => new Refusal('bad-request', text, 'bad-payload');

type Fields = ReadonlyMap<string, readonly string[]>;
type Note = { type: 'info' | 'warn'; text: string };

interface AdminCommand {
  /** Human-readable name for disco#items (XEP-0050 §2.2), as XEP-0133 names it. */
  name: string;
  title: string;
  instructions: string;
  /** The fields of the form after FORM_TYPE. */
  fields(): Element[];
  /** Runs a submitted form; throws Refusal for input the command does not accept. */
  submit(fields: Fields, ctx: AdminContext): Promise<Note>;
}

const field = (type: string, v: string, label: string, required: boolean) =>
  el('field', { type, var: v, label }, required && el('required'));

/** `user@domain` hosted here, canonical; throws Refusal naming `text` otherwise. */
function hostedAccount(text: string, domain: string): string {
  let jid: Jid;
  try {
    jid = parseJid(text);
  } catch (err) {
    if (err instanceof JidError) throw badPayload(`'${text}' is not a valid JID`);
    throw err;
  }
  if (!jid.isBare || jid.local === '') throw badPayload(`'${text}' is not an account address (user@domain, no resource)`);
  if (jid.domain !== domain) throw badPayload(`'${text}' is not an account of ${domain}`);
  return jid.toString();
}

/** The one value of a single-valued field; undefined when absent or empty. */
function single(fields: Fields, name: string): string | undefined {
  const values = fields.get(name) ?? [];
  if (values.length > 1) throw badPayload(`field ${name} takes one value`);
  return values[0] === '' ? undefined : values[0];
}

const COMMANDS: ReadonlyMap<string, AdminCommand> = new Map<AdminNode, AdminCommand>([
  [ADMIN_NODES.addUser, {
    name: 'Add a User',
    title: 'Adding a User',
    instructions: 'Fill out this form to add a user.',
    fields: () => [
      field('jid-single', 'accountjid', 'The Jabber ID for the account to be added', true),
      field('text-private', 'password', 'The password for this account', true),
      field('text-private', 'password-verify', 'Retype password', false),
    ],
    async submit(fields, ctx) {
      const text = single(fields, 'accountjid')?.trim();
      if (!text) throw badPayload('accountjid is required');
      const jid = hostedAccount(text, ctx.domain);
      const password = single(fields, 'password');
      if (password === undefined) throw badPayload('password is required');
      const verify = single(fields, 'password-verify');
      if (verify !== undefined && verify !== password) throw badPayload('the passwords do not match');
      let prepared: string;
      try {
        prepared = preparePassword(password);
      } catch (err) {
        if (err instanceof PasswordError) throw badPayload('password not allowed');
        throw err;
      }
      const created = await ctx.accounts.create({ jid, credentials: deriveAllCredentials(prepared), createdAt: new Date(), admin: false, disabled: false });
      if (!created) throw new Refusal('conflict', `${jid} already exists`);
      return { type: 'info', text: `Account ${jid} created.` };
    },
  }],
  [ADMIN_NODES.deleteUser, {
    name: 'Delete a User',
    title: 'Deleting a User',
    instructions: 'Fill out this form to delete a user.',
    fields: () => [field('jid-multi', 'accountjids', 'The Jabber ID(s) to delete', true)],
    async submit(fields, ctx) {
      // Every address is checked before anything is deleted: a typo deletes nothing.
      const texts = (fields.get('accountjids') ?? []).map((v) => v.trim()).filter((v) => v !== '');
      if (texts.length === 0) throw badPayload('accountjids is required');
      const jids = [...new Set(texts.map((t) => hostedAccount(t, ctx.domain)))];
      const removed: string[] = [];
      const missing: string[] = [];
      for (const jid of jids) {
        if (await ctx.accounts.remove(jid) !== undefined) {
          removed.push(jid);
          ctx.onAccountDeleted?.(jid);
        } else {
          missing.push(jid);
        }
      }
      const parts = [removed.length ? `Deleted: ${removed.join(', ')}.` : 'No account deleted.'];
      if (missing.length) parts.push(`Not found: ${missing.join(', ')}.`);
      return { type: missing.length ? 'warn' : 'info', text: parts.join(' ') };
    },
  }],
]);

const ACTIONS = new Set(['execute', 'cancel', 'prev', 'next', 'complete']);

/** The ad-hoc command payload of an IQ, if that is what it carries. */
const commandOf = (iq: Element) => iq.getChild('command', NS.commands);

/** The disco#items query for the command list (XEP-0050 §2.2), if that is what the IQ carries. */
function commandListOf(iq: Element): Element | undefined {
  const query = iq.getChild('query', NS.discoItems);
  return query?.attrs['node'] === NS.commands ? query : undefined;
}

/**
 * True when the IQ is an ad-hoc command (XEP-0050) or the disco#items listing of commands.
 * Only the payload is looked at; with `domain`, the IQ must also be addressed to the server
 * (no `to`, or the domain), so commands for other entities (a client's own XEP-0050
 * commands) are left to routing. Without it, that check is the caller's (isForServer).
 */
export function isAdminRequest(iq: Element, domain?: string): boolean {
  if (iq.name !== 'iq' || iq.elements().length !== 1) return false;
  if (domain !== undefined && iq.attrs['to'] !== undefined && iq.attrs['to'] !== domain) return false;
  const type = iq.attrs['type'];
  return (type === 'set' && commandOf(iq) !== undefined) || (type === 'get' && commandListOf(iq) !== undefined);
}

/**
 * Answers an admin request: the command list (disco#items on NS.commands: the commands this
 * requester may run, none for non-admins), or one step of an XEP-0133 command.
 *
 * Sessions are stateless: both commands take a single form, so a sessionid is issued with the
 * form and only echoed back afterwards; any sessionid is accepted, and so is a submission with
 * none (one-step use, as many admin tools do), which gets a fresh one. Authorization is checked
 * on every request, so no state is needed to trust a later step.
 *
 * Never rejects: store failures become internal-server-error. Errors do not echo the request's
 * payload, since a submitted form carries a password.
 */
export async function handleAdmin(iq: Element, requester: string /* full JID */, ctx: AdminContext): Promise<Element> {
  const from = iq.attrs['to'] ?? ctx.domain;
  try {
    const payload = await answer(iq, requester, ctx);
    return el('iq', { xmlns: NS.client, type: 'result', id: iq.attrs['id'], from, to: requester }, payload);
  } catch (err) {
    const refusal = err instanceof Refusal ? err : new Refusal('internal-server-error', 'the command failed; try again later');
    const error = stanzaErrorChild(refusal.condition, refusal.message);
    if (refusal.app) error.append(el(refusal.app, { xmlns: NS.commands }));
    return el('iq', { xmlns: NS.client, type: 'error', id: iq.attrs['id'], from, to: requester }, error);
  }
}

async function answer(iq: Element, requester: string, ctx: AdminContext): Promise<Element> {
  if (iq.elements().length !== 1) throw new Refusal('bad-request', 'an IQ carries exactly one payload');
  const list = iq.getChild('query', NS.discoItems);
  if (list) {
    if (iq.attrs['type'] !== 'get') throw new Refusal('bad-request', 'disco#items is queried with type get');
    if (list.attrs['node'] !== NS.commands) throw new Refusal('item-not-found', 'unknown node');
    const items = (await isAdministrator(requester, ctx)) ? [...COMMANDS].map(([node, c]) => el('item', { jid: ctx.domain, node, name: c.name })) : [];
    return el('query', { xmlns: NS.discoItems, node: NS.commands }, ...items);
  }
  const command = commandOf(iq);
  if (!command) throw new Refusal('service-unavailable', 'not an ad-hoc command');
  if (iq.attrs['type'] !== 'set') throw new Refusal('bad-request', 'commands are executed with type set');
  return runCommand(command, requester, ctx);
}

async function isAdministrator(requester: string, ctx: AdminContext): Promise<boolean> {
  const jid = tryParseJid(requester);
  return jid !== undefined && jid.local !== '' && (await ctx.isAdmin(jid.bare().toString()));
}

async function runCommand(request: Element, requester: string, ctx: AdminContext): Promise<Element> {
  const node = request.attrs['node'];
  if (!node) throw new Refusal('bad-request', 'the command names no node');
  const action = request.attrs['action'] ?? 'execute';
  if (!ACTIONS.has(action)) throw new Refusal('bad-request', `unknown action ${action}`, 'malformed-action');
  if (!(await isAdministrator(requester, ctx))) throw new Refusal('forbidden', 'only administrators may run this command');
  const command = COMMANDS.get(node);
  if (!command) throw new Refusal('item-not-found', 'no such command');
  const sessionid = request.attrs['sessionid'];
  const reply = (status: string, sid: string | undefined, ...children: Element[]) =>
    el('command', { xmlns: NS.commands, node, sessionid: sid, status }, ...children);

  if (action === 'cancel') return reply('canceled', sessionid);
  // The form offers only <complete/>: there is no previous or next stage.
  if (action === 'prev' || action === 'next') throw new Refusal('bad-request', `action ${action} is not offered`, 'bad-action');
  const x = request.getChild('x', NS.dataForms);
  if (!x) {
    // execute continuing a session, or complete, means submitting: the form is missing.
    if (sessionid !== undefined || action === 'complete') throw badPayload('submit the form');
    return reply('executing', ctx.newSessionId(),
      el('actions', { execute: 'complete' }, el('complete')),
      el('x', { xmlns: NS.dataForms, type: 'form' },
        el('title', {}, command.title),
        el('instructions', {}, command.instructions),
        el('field', { type: 'hidden', var: 'FORM_TYPE' }, el('value', {}, ADMIN_FORM_TYPE)),
        ...command.fields()));
  }
  const note = await command.submit(submittedFields(x), ctx);
  return reply('completed', sessionid ?? ctx.newSessionId(), el('note', { type: note.type }, note.text));
}

/** The values of a submitted data form (XEP-0004 §3.3), by var. */
function submittedFields(x: Element): Fields {
  if (x.attrs['type'] !== 'submit') throw badPayload('the form must be of type submit');
  const fields = new Map<string, string[]>();
  for (const f of x.getChildren('field', NS.dataForms)) {
    const name = f.attrs['var'];
    if (!name) throw badPayload('a submitted field has no var');
    if (fields.has(name)) throw badPayload(`field ${name} is given twice`);
    fields.set(name, f.getChildren('value', NS.dataForms).map((v) => v.text()));
  }
  const formType = fields.get('FORM_TYPE');
  if (formType !== undefined && (formType.length !== 1 || formType[0] !== ADMIN_FORM_TYPE)) throw badPayload('wrong FORM_TYPE');
  return fields;
}
