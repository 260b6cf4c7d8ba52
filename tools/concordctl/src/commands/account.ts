import { parseJid, JidError, type Jid } from '@concord/jid';
import { cassandraSettings, type CommonConfig } from '@concord/runtime';
import { deriveAllCredentials, preparePassword } from '@concord/sasl';
import { Bus } from '@concord/bus';
import { publishArchiveDeletion } from '@concord/events';
import { createLogger } from '@concord/log';
import type { Client } from 'cassandra-driver';
import { AccountStore, connectCassandra, type AccountRemoval } from '@concord/storage';
import { commandArgs, UsageError } from '../args';

export const ACCOUNT_USAGE = `  account add JID PASSWORD [--admin]   create an account ("-" as PASSWORD reads it from stdin)
  account remove JID                   delete an account and everything it owns (archive, roster, push)
  account passwd JID PASSWORD          set a new password ("-" reads it from stdin)
  account list                         list every account`;

export function bareJid(text: string | undefined, domain: string): Jid {
  if (!text) throw new UsageError('a JID is required');
  let jid: Jid;
  try {
    jid = parseJid(text);
  } catch (err) {
    if (err instanceof JidError) throw new UsageError(`${text} is not a valid JID: ${err.message}`);
    throw err;
  }
  if (!jid.local || jid.resource) throw new UsageError(`${text}: give a bare JID such as alice@${domain}`);
  if (jid.domain !== domain) throw new UsageError(`${text}: this deployment serves ${domain} (CONCORD_DOMAIN)`);
  return jid;
}

async function password(arg: string | undefined, stdin: () => Promise<string>): Promise<string> {
  if (arg === undefined) throw new UsageError('a password is required');
  const text = arg === '-' ? (await stdin()).replace(/\r?\n$/, '') : arg;
  try {
    return preparePassword(text);
  } catch (err) {
    throw new UsageError(`unusable password: ${(err as Error).message}`);
  }
}

function removalText(r: AccountRemoval): string {
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  return `${n(r.rosterItems, 'roster item')}, ${n(r.pushRegistrations, 'push registration')}, ${n(r.notifyPrefs, 'notification preference')}; ` +
    `its archive is deleted by the history event at position ${r.archiveDeletedAt}`;
}

/** `concordctl account ...`; returns the process exit code. Arguments are checked before connecting. */
export async function runAccount(c: CommonConfig, args: string[], out: (s: string) => void, stdin: () => Promise<string>): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add': {
      const { values, positionals } = commandArgs(rest, { admin: { type: 'boolean' } }, 2);
      const jid = bareJid(positionals[0], c.domain);
      const pw = await password(positionals[1], stdin);
      return withAccounts(c, async (store) => {
        const created = await store.create({ jid: jid.toString(), credentials: deriveAllCredentials(pw), createdAt: new Date(), admin: values.admin === true, disabled: false });
        out(created ? `created ${jid}` : `${jid} already exists`);
        return created ? 0 : 1;
      });
    }
    case 'remove': {
      const jid = bareJid(commandArgs(rest, {}, 1).positionals[0], c.domain);
      const bus = await Bus.connect({ servers: c.natsUrls, name: 'concordctl account remove', prefix: c.busPrefix, partitions: c.busPartitions, log: createLogger('concordctl', 'warn') });
      try {
        return await withAccounts(c, async (_store, client) => {
          const removed = await new AccountStore(client, (owner) => publishArchiveDeletion(bus, owner)).remove(jid.toString());
          out(removed ? `removed ${jid}: ${removalText(removed)}` : `${jid} does not exist`);
          return removed ? 0 : 1;
        });
      } finally {
        await bus.close();
      }
    }
    case 'passwd': {
      const { positionals } = commandArgs(rest, {}, 2);
      const jid = bareJid(positionals[0], c.domain);
      const pw = await password(positionals[1], stdin);
      return withAccounts(c, async (store) => {
        const changed = await store.setCredentials(jid.toString(), deriveAllCredentials(pw));
        out(changed ? `password changed for ${jid}` : `${jid} does not exist`);
        return changed ? 0 : 1;
      });
    }
    case 'list':
      commandArgs(rest, {}, 0);
      return withAccounts(c, async (store) => {
        for await (const jid of store.list()) out(jid);
        return 0;
      });
    default:
      throw new UsageError(`unknown account command ${JSON.stringify(sub ?? '')}`);
  }
}

async function withAccounts(c: CommonConfig, use: (store: AccountStore, client: Client) => Promise<number>): Promise<number> {
  const client = await connectCassandra({ ...cassandraSettings(c), keyspace: c.cassandraKeyspace });
  try {
    return await use(new AccountStore(client), client);
  } finally {
    await client.shutdown();
  }
}
