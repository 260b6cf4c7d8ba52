import { JidError, parseJid } from '@concord/jid';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { AccountStore, connectCassandra, NOTIFY_LEVELS, NotifyPrefsStore, PushRegistrationStore, type NotifyLevel, type PushRegistration } from '@concord/storage';
import { commandArgs, UsageError } from '../args';
import { bareJid } from './account';

export const PUSH_USAGE = `  push list ACCOUNT                    XEP-0357 registrations of an account, one per device
  push prefs get ACCOUNT               notification preferences per conversation
  push prefs set ACCOUNT CONVERSATION all|mentions|none
                                       set the preference for one conversation (a contact or room JID)`;

function conversation(text: string | undefined): string {
  if (!text) throw new UsageError('a conversation JID is required');
  try {
    const jid = parseJid(text);
    if (!jid.isBare) throw new UsageError(`${text}: a conversation is a bare JID`);
    return jid.toString();
  } catch (err) {
    if (err instanceof JidError) throw new UsageError(`${text} is not a valid JID: ${err.message}`);
    throw err;
  }
}

function level(text: string | undefined): NotifyLevel {
  if (!NOTIFY_LEVELS.includes(text as NotifyLevel)) throw new UsageError(`the level is one of ${NOTIFY_LEVELS.join(', ')}`);
  return text as NotifyLevel;
}

/** One registration as a tab-separated line: device, app server, node, state. */
export function registrationLine(r: PushRegistration): string {
  const state = r.disabled
    ? `disabled ${r.disabled.at.toISOString()} (${r.disabled.reason}${r.disabled.noticePending ? ', device not told yet' : ''})`
    : `enabled ${r.enabledAt.toISOString()} by ${r.enabledBy}`;
  const error = r.lastError ? `\tlast error ${r.lastError.at.toISOString()}: ${r.lastError.text}` : '';
  return `${r.device}\t${r.appServer}\t${r.node}\t${state}${error}`;
}

/** `concordctl push ...`; returns the process exit code. */
export async function runPush(c: CommonConfig, args: string[], out: (s: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  const prefs = sub === 'prefs' ? rest.shift() : undefined;
  const command = prefs ? `${sub} ${prefs}` : sub;
  if (command !== 'list' && command !== 'prefs get' && command !== 'prefs set') throw new UsageError(`unknown push command ${JSON.stringify(args.join(' '))}`);
  // Arguments are checked before connecting, so a usage error needs no database.
  const { positionals } = commandArgs(rest, {}, command === 'prefs set' ? 3 : 1);
  const account = bareJid(positionals[0], c.domain).toString();
  const change = command === 'prefs set' ? { conversation: conversation(positionals[1]), level: level(positionals[2]) } : undefined;
  const client = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
  try {
    if (command === 'list') {
      for (const r of await new PushRegistrationStore(client).list(account)) out(registrationLine(r));
    } else if (change) {
      if (!(await new AccountStore(client).get(account))) {
        out(`${account} does not exist`);
        return 1;
      }
      await new NotifyPrefsStore(client).set(account, change.conversation, change.level);
      out(`${account}: ${change.conversation} ${change.level}`);
    } else {
      for (const p of await new NotifyPrefsStore(client).list(account)) out(`${p.conversation}\t${p.level}`);
    }
    return 0;
  } finally {
    await client.shutdown();
  }
}
