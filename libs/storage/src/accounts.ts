import type { Client } from 'cassandra-driver';
import type { ScramCredential, ScramMechanism } from '@concord/sasl';

/** Salted SCRAM keys per mechanism (RFC 5802); the password itself is never stored. */
export type { ScramCredential, ScramMechanism };

export interface AccountRecord {
  jid: string;
  credentials: Partial<Record<ScramMechanism, ScramCredential>>;
  createdAt: Date;
  admin: boolean;
  disabled: boolean;
}

type Row = Record<string, unknown>;

function toCredential(v: Row): ScramCredential {
  return { salt: v['salt'] as Buffer, iterations: Number(v['iterations']), storedKey: v['stored_key'] as Buffer, serverKey: v['server_key'] as Buffer };
}

function fromCredential(c: ScramCredential): Row {
  return { salt: c.salt, iterations: c.iterations, stored_key: c.storedKey, server_key: c.serverKey };
}

/** What removing an account took away (for the operator), or undefined when there was no such account. */
export interface AccountRemoval {
  rosterItems: number;
  pushRegistrations: number;
  notifyPrefs: number;
  /** Position of the archive deletion in the account's history (the archive applies it in order). */
  archiveDeletedAt: number;
}

/**
 * Accounts table access. JIDs are expected normalized by the caller (RFC 7622). `deleteArchive`
 * publishes the deletion of an account's archive (publishArchiveDeletion in @concord/events):
 * without it, remove() refuses rather than leave the history behind.
 */
export class AccountStore {
  constructor(private readonly client: Client, private readonly deleteArchive?: (owner: string) => Promise<number>) {}

  /** Creates the account; false if it already exists (lightweight transaction). */
  async create(a: AccountRecord): Promise<boolean> {
    const creds = Object.fromEntries(Object.entries(a.credentials).map(([k, v]) => [k, fromCredential(v)]));
    const r = await this.client.execute(
      'INSERT INTO accounts (jid, credentials, created_at, admin, disabled) VALUES (?, ?, ?, ?, ?) IF NOT EXISTS',
      [a.jid, creds, a.createdAt, a.admin, a.disabled],
    );
    return r.wasApplied();
  }

  async get(jid: string): Promise<AccountRecord | undefined> {
    const row = (await this.client.execute('SELECT jid, credentials, created_at, admin, disabled FROM accounts WHERE jid = ?', [jid])).first();
    if (!row) return undefined;
    const creds = (row['credentials'] ?? {}) as Record<string, Row>;
    return {
      jid: row['jid'] as string,
      credentials: Object.fromEntries(Object.entries(creds).map(([k, v]) => [k, toCredential(v)])),
      createdAt: row['created_at'] as Date,
      admin: Boolean(row['admin']),
      disabled: Boolean(row['disabled']),
    };
  }

  /** Replaces the credentials; false when the account does not exist. */
  async setCredentials(jid: string, credentials: AccountRecord['credentials']): Promise<boolean> {
    const creds = Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, fromCredential(v)]));
    const r = await this.client.execute('UPDATE accounts SET credentials = ? WHERE jid = ? IF EXISTS', [creds, jid]);
    return r.wasApplied();
  }

  /**
   * Removes the account and everything that belongs to it, as prosodyctl deluser and ejabberdctl
   * unregister do: an account created again with the same name starts empty. The credentials go
   * first (nobody logs in meanwhile), then its roster, push registrations and notification
   * preferences, then its archive through its history (so that a rebuild replays the deletion).
   * Contacts' rosters keep their item for it, as after any account that went away.
   */
  async remove(jid: string): Promise<AccountRemoval | undefined> {
    if (!this.deleteArchive) throw new Error('this AccountStore cannot delete archives: construct it with deleteArchive');
    const r = await this.client.execute('DELETE FROM accounts WHERE jid = ? IF EXISTS', [jid]);
    if (!r.wasApplied()) return undefined;
    const count = async (cql: string) => (await this.client.execute(cql, [jid])).rowLength;
    const rosterItems = await count('SELECT contact FROM roster_items WHERE account = ?');
    const devices = (await this.client.execute('SELECT device FROM push_registrations WHERE account = ?', [jid])).rows.map((row) => row['device'] as string);
    const notifyPrefs = await count('SELECT conversation FROM notify_prefs WHERE account = ?');
    for (const device of devices) await this.client.execute('DELETE FROM push_sent WHERE account = ? AND device = ?', [jid, device]);
    for (const table of ['roster_items', 'push_registrations', 'notify_prefs']) await this.client.execute(`DELETE FROM ${table} WHERE account = ?`, [jid]);
    return { rosterItems, pushRegistrations: devices.length, notifyPrefs, archiveDeletedAt: await this.deleteArchive(jid) };
  }

  /** Pages through every account (full scan; for operators, not for request paths). */
  async *list(pageSize = 500): AsyncGenerator<string> {
    let pageState: string | undefined;
    do {
      const r = await this.client.execute('SELECT jid FROM accounts', [], { fetchSize: pageSize, ...(pageState ? { pageState } : {}) });
      for (const row of r.rows) yield row['jid'] as string;
      pageState = r.pageState ?? undefined;
    } while (pageState);
  }
}
