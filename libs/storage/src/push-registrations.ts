import type { Client } from 'cassandra-driver';

/** XEP-0357 publish-options as submitted: field var → values (FORM_TYPE left out). */
export type PublishOptions = Record<string, string[]>;

/** One device's push registration (table push_registrations). */
export interface PushRegistration {
  account: string;
  /** The device: the session's stable client identity (SASL2 user-agent id, else the resource). */
  device: string;
  appServer: string;
  node: string;
  publishOptions: PublishOptions;
  enabledAt: Date;
  /** Full JID of the session that enabled it. */
  enabledBy: string;
  /** Set once the app server refused for good; a disabled registration gets no notifications. */
  disabled: { at: Date; reason: string; noticePending: boolean } | undefined;
  /** The last notification given up on after every retry (the registration stays enabled). */
  lastError: { at: Date; text: string } | undefined;
}

type Row = Record<string, unknown>;

const COLUMNS = 'account, device, app_server, node, publish_options, enabled_at, enabled_by, disabled_at, disabled_reason, notice_pending, last_error, last_error_at';

function toRegistration(r: Row): PushRegistration {
  const disabledAt = r['disabled_at'] as Date | null;
  const lastErrorAt = r['last_error_at'] as Date | null;
  return {
    account: r['account'] as string,
    device: r['device'] as string,
    appServer: r['app_server'] as string,
    node: r['node'] as string,
    publishOptions: JSON.parse((r['publish_options'] as string | null) ?? '{}') as PublishOptions,
    enabledAt: r['enabled_at'] as Date,
    enabledBy: (r['enabled_by'] as string | null) ?? '',
    disabled: disabledAt ? { at: disabledAt, reason: (r['disabled_reason'] as string | null) ?? '', noticePending: Boolean(r['notice_pending']) } : undefined,
    lastError: lastErrorAt ? { at: lastErrorAt, text: (r['last_error'] as string | null) ?? '' } : undefined,
  };
}

/** XEP-0357 registrations, one per device of an account. */
export class PushRegistrationStore {
  constructor(private readonly client: Client) {}

  /** Enables (or re-enables) the device's registration, replacing what it had. */
  async put(r: Omit<PushRegistration, 'disabled' | 'lastError'>): Promise<void> {
    await this.client.execute(
      `INSERT INTO push_registrations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, null, null, null, null, null)`,
      [r.account, r.device, r.appServer, r.node, JSON.stringify(r.publishOptions), r.enabledAt, r.enabledBy],
    );
  }

  async get(account: string, device: string): Promise<PushRegistration | undefined> {
    const row = (await this.client.execute(`SELECT ${COLUMNS} FROM push_registrations WHERE account = ? AND device = ?`, [account, device])).first();
    return row ? toRegistration(row) : undefined;
  }

  /** Every registration of the account, disabled ones included. */
  async list(account: string): Promise<PushRegistration[]> {
    const rs = await this.client.execute(`SELECT ${COLUMNS} FROM push_registrations WHERE account = ?`, [account]);
    return rs.rows.map(toRegistration);
  }

  /** Every account that has at least one registration, in token order (a full scan, paged). */
  async *accounts(): AsyncGenerator<string> {
    let pageState: string | undefined;
    do {
      const rs = await this.client.execute('SELECT DISTINCT account FROM push_registrations', [], { fetchSize: 1_000, ...(pageState ? { pageState } : {}) });
      for (const row of rs.rows) yield String(row['account']);
      pageState = rs.pageState ?? undefined;
    } while (pageState);
  }

  async remove(account: string, device: string): Promise<void> {
    await this.client.execute('DELETE FROM push_registrations WHERE account = ? AND device = ?', [account, device]);
  }

  /**
   * Disables the registration after a permanent failure, unless the device re-enabled it
   * meanwhile (another app server or node): false then. The device is told at its next login.
   */
  async disable(r: Pick<PushRegistration, 'account' | 'device' | 'appServer' | 'node'>, reason: string, at: Date): Promise<boolean> {
    const rs = await this.client.execute(
      'UPDATE push_registrations SET disabled_at = ?, disabled_reason = ?, notice_pending = true WHERE account = ? AND device = ? IF app_server = ? AND node = ?',
      [at, reason, r.account, r.device, r.appServer, r.node],
    );
    return rs.wasApplied();
  }

  /** Takes the pending notice of a disabled registration: true for exactly one caller. */
  async takeNotice(account: string, device: string): Promise<boolean> {
    const rs = await this.client.execute(
      'UPDATE push_registrations SET notice_pending = false WHERE account = ? AND device = ? IF notice_pending = true',
      [account, device],
    );
    return rs.wasApplied();
  }

  /** Records a notification given up on; the registration stays enabled. */
  async recordFailure(account: string, device: string, text: string, at: Date): Promise<void> {
    await this.client.execute(
      'UPDATE push_registrations SET last_error = ?, last_error_at = ? WHERE account = ? AND device = ? IF EXISTS',
      [text, at, account, device],
    );
  }
}

/**
 * Notifications sent to each device (table push_sent): what makes a redelivered push request
 * harmless, and the message-count of the summary (notifications since the device last logged in).
 */
export class PushSentStore {
  constructor(private readonly client: Client) {}

  async has(account: string, device: string, archiveId: string): Promise<boolean> {
    const rs = await this.client.execute('SELECT archive_id FROM push_sent WHERE account = ? AND device = ? AND archive_id = ?', [account, device, archiveId]);
    return rs.rowLength > 0;
  }

  async mark(account: string, device: string, archiveId: string, at: Date): Promise<void> {
    await this.client.execute('INSERT INTO push_sent (account, device, archive_id, sent_at) VALUES (?, ?, ?, ?)', [account, device, archiveId, at]);
  }

  /** Notifications sent to the device since it last logged in, counted up to `cap`. */
  async count(account: string, device: string, cap: number): Promise<number> {
    const rs = await this.client.execute('SELECT archive_id FROM push_sent WHERE account = ? AND device = ? LIMIT ?', [account, device, cap]);
    return rs.rowLength;
  }

  /** The device logged in: its count starts again. */
  async reset(account: string, device: string): Promise<void> {
    await this.client.execute('DELETE FROM push_sent WHERE account = ? AND device = ?', [account, device]);
  }
}
