import type { Client } from 'cassandra-driver';

export type Subscription = 'none' | 'to' | 'from' | 'both';

/**
 * One contact of an account's roster row: a listed roster item, the tombstone of a removed one
 * (`listed` false, `ver` > 0), or only a contact's pending subscription request.
 */
export interface RosterEntry {
  contact: string;
  listed: boolean;
  name: string;
  groups: string[];
  subscription: Subscription;
  /** Pending out (RFC 6121 ask='subscribe'). */
  ask: boolean;
  /** Pending in: the contact's subscription request stanza as received, '' when none. */
  pendingIn: string;
  /** Roster version of the last change the client can see (0: never listed). */
  ver: number;
}

export interface Roster {
  version: number;
  entries: RosterEntry[];
}

export interface RosterChange {
  /** The roster version after the change (unchanged when nothing was written). */
  version: number;
  before: RosterEntry | undefined;
  after: RosterEntry | undefined;
  /** The client-visible part changed: the entry got `version` and is due as a roster push. */
  visible: boolean;
}

/** A contact that is not in the roster at all. */
export function emptyEntry(contact: string): RosterEntry {
  return { contact, listed: false, name: '', groups: [], subscription: 'none', ask: false, pendingIn: '', ver: 0 };
}

/** What a client sees of an entry (RFC 6121 item attributes); a change in it is a roster push. */
function visibleState(e: RosterEntry | undefined): string {
  if (!e?.listed) return 'unlisted';
  return JSON.stringify([e.name, [...e.groups].sort(), e.subscription, e.ask]);
}

/** Concurrent changes of one account lose the conditional write and try again from a fresh read. */
const MAX_ATTEMPTS = 20;

type Row = Record<string, unknown>;

function toEntry(r: Row): RosterEntry {
  return {
    contact: r['contact'] as string,
    listed: Boolean(r['listed']),
    name: (r['name'] as string | null) ?? '',
    groups: (r['groups'] as string[] | null) ?? [],
    subscription: ((r['subscription'] as string | null) ?? 'none') as Subscription,
    ask: Boolean(r['ask']),
    pendingIn: (r['pending_in'] as string | null) ?? '',
    ver: Number(r['ver'] ?? 0),
  };
}

const COLUMNS = 'contact, listed, ver, name, groups, subscription, ask, pending_in';

/**
 * Rosters in Cassandra (table roster_items), versioned per XEP-0237: every change takes the
 * next roster version; a change a client can see stamps the entry with it, so "what changed
 * since version V" is the entries with ver > V (removals included, as tombstones).
 */
export class RosterStore {
  constructor(private readonly client: Client) {}

  async load(account: string): Promise<Roster> {
    let version = 0;
    const entries: RosterEntry[] = [];
    let pageState: string | undefined;
    do {
      const r = await this.client.execute(`SELECT roster_ver, ${COLUMNS} FROM roster_items WHERE account = ?`, [account], { fetchSize: 1_000, ...(pageState ? { pageState } : {}) });
      version = Math.max(version, Number(r.first()?.['roster_ver'] ?? 0));
      // A partition holding only its static column yields one row without a contact.
      for (const row of r.rows) if (row['contact'] != null) entries.push(toEntry(row));
      pageState = r.pageState ?? undefined;
    } while (pageState);
    return { version, entries };
  }

  async entry(account: string, contact: string): Promise<RosterEntry | undefined> {
    const row = (await this.client.execute(`SELECT ${COLUMNS} FROM roster_items WHERE account = ? AND contact = ?`, [account, contact])).first();
    return row ? toEntry(row) : undefined;
  }

  async version(account: string): Promise<number> {
    const row = (await this.client.execute('SELECT roster_ver FROM roster_items WHERE account = ? LIMIT 1', [account])).first();
    return Number(row?.['roster_ver'] ?? 0);
  }

  /**
   * Read-modify-write of one contact's entry, serialized with every other change of the
   * account's roster. `change` gets the current entry (undefined: none) and returns the new one,
   * or undefined to leave it as it is; it may run several times (on a conflict) and must be pure.
   */
  async update(account: string, contact: string, change: (current: RosterEntry | undefined) => RosterEntry | undefined): Promise<RosterChange> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const [version, before] = await Promise.all([this.version(account), this.entry(account, contact)]);
      const next = change(before);
      if (!next) return { version, before, after: before, visible: false };
      const visible = visibleState(before) !== visibleState(next);
      const after: RosterEntry = { ...next, contact, ver: visible ? version + 1 : (before?.ver ?? 0) };
      const applied = await this.client.batch([
        { query: 'UPDATE roster_items SET roster_ver = ? WHERE account = ? IF roster_ver = ?', params: [version + 1, account, version === 0 ? null : version] },
        {
          query: 'UPDATE roster_items SET listed = ?, ver = ?, name = ?, groups = ?, subscription = ?, ask = ?, pending_in = ? WHERE account = ? AND contact = ?',
          params: [after.listed, after.ver, after.name, after.groups, after.subscription, after.ask, after.pendingIn, account, contact],
        },
      ], { prepare: true });
      if (applied.wasApplied()) return { version: version + 1, before, after, visible };
    }
    throw new Error(`roster of ${account} changed concurrently ${MAX_ATTEMPTS} times; giving up`);
  }
}
