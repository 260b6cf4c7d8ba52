import { PushAccountsWriter, SessionRegistry } from '@concord/registry';
import { BasicService, openBaseContext, type ServiceOptions } from '@concord/runtime';
import { NotifyPrefsStore, PushRegistrationStore, PushSentStore } from '@concord/storage';
import type { PushConfig } from './config';
import type { PushContext } from './context';
import { requestsWorker } from './consumers/requests';
import { settingsWorker } from './consumers/settings';
import { pushAccountsWorker } from './settings/push-accounts';
import { pushMetrics } from './metrics';
import { parseAppServers } from './transport/app-servers';
import { webhookDirectory } from './transport/webhook';

export type PushOptions = ServiceOptions<PushContext>;

/**
 * Where a device is woken: XEP-0357 registrations and notification preferences (answered for
 * gateways), and push requests from the router turned into notifications to app servers.
 */
export class PushService extends BasicService<PushConfig, PushContext> {
  static async create(config: PushConfig, opts: PushOptions = {}): Promise<PushService> {
    const o = opts.overrides ?? {};
    const base = await openBaseContext('push', config, o);
    const ctx: PushContext = {
      ...base,
      registrations: o.registrations ?? new PushRegistrationStore(base.cassandra),
      pushAccounts: o.pushAccounts ?? new PushAccountsWriter(await base.bus.kv('pushAccounts')),
      sent: o.sent ?? new PushSentStore(base.cassandra),
      prefs: o.prefs ?? new NotifyPrefsStore(base.cassandra),
      sessions: o.sessions ?? new SessionRegistry(await base.bus.kv('sessions')),
      transports: o.transports ?? webhookDirectory(parseAppServers(config.appServers), config.httpTimeout),
      metrics: o.metrics ?? pushMetrics(),
    };
    if (!ctx.transports.available) ctx.log.warn('no push app servers configured (CONCORD_PUSH_APP_SERVERS): clients cannot enable push');
    return new PushService(ctx, opts, (c) => [
      pushAccountsWorker(c.registrations, c.pushAccounts, c.log),
      settingsWorker(c.bus, { domain: c.config.domain, registrations: c.registrations, pushAccounts: c.pushAccounts, sent: c.sent, prefs: c.prefs, transports: c.transports, log: c.log }),
      requestsWorker(c.bus, {
        registrations: c.registrations, sent: c.sent, prefs: c.prefs, sessions: c.sessions, transports: c.transports,
        retry: { baseMs: c.config.retryBase, maxMs: c.config.retryMax }, metrics: c.metrics, log: c.log,
      }, c.config.concurrency),
    ]);
  }
}
