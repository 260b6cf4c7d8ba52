import type { Client } from 'cassandra-driver';

/** How much of a conversation may wake the account's devices (DESIGN §3.2, §7). */
export type NotifyLevel = 'all' | 'mentions' | 'none';
export const NOTIFY_LEVELS: readonly NotifyLevel[] = ['all', 'mentions', 'none'];

export interface NotifyPref {
  conversation: string;
  level: NotifyLevel;
}

/** An account's notification preferences per conversation (table notify_prefs); no row means the default. */
export class NotifyPrefsStore {
  constructor(private readonly client: Client) {}

  async get(account: string, conversation: string): Promise<NotifyLevel | undefined> {
    const row = (await this.client.execute('SELECT level FROM notify_prefs WHERE account = ? AND conversation = ?', [account, conversation])).first();
    return row ? (row['level'] as NotifyLevel) : undefined;
  }

  /** Every preference of the account, by conversation JID. */
  async list(account: string): Promise<NotifyPref[]> {
    const out: NotifyPref[] = [];
    let pageState: string | undefined;
    do {
      const rs = await this.client.execute('SELECT conversation, level FROM notify_prefs WHERE account = ?', [account], { fetchSize: 1_000, ...(pageState ? { pageState } : {}) });
      for (const r of rs.rows) out.push({ conversation: r['conversation'] as string, level: r['level'] as NotifyLevel });
      pageState = rs.pageState ?? undefined;
    } while (pageState);
    return out;
  }

  async set(account: string, conversation: string, level: NotifyLevel): Promise<void> {
    await this.client.execute('INSERT INTO notify_prefs (account, conversation, level, updated_at) VALUES (?, ?, ?, ?)', [account, conversation, level, new Date()]);
  }
}
