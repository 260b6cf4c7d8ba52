import { PresenceSessions, SessionRegistry } from '@concord/registry';
import { BasicService, openBaseContext, type ServiceOptions } from '@concord/runtime';
import { AccountStore, RosterStore } from '@concord/storage';
import type { PresenceConfig } from './config';
import type { PresenceContext } from './context';
import { presenceStanzasWorker } from './consumers/presence-stanzas';
import { rosterQueriesWorker } from './consumers/roster-queries';
import { sweeperWorker } from './presence/sweeper';

export type PresenceOptions = ServiceOptions<PresenceContext>;

/**
 * Presence and rosters (RFC 6121): presence stanzas from the router, roster IQs from gateways,
 * and a sweep for sessions whose gateway died.
 */
export class PresenceService extends BasicService<PresenceConfig, PresenceContext> {
  static async create(config: PresenceConfig, opts: PresenceOptions = {}): Promise<PresenceService> {
    const o = opts.overrides ?? {};
    const base = await openBaseContext('presence', config, o);
    const ctx: PresenceContext = {
      ...base,
      rosters: o.rosters ?? new RosterStore(base.cassandra),
      accounts: o.accounts ?? new AccountStore(base.cassandra),
      registry: o.registry ?? new SessionRegistry(await base.bus.kv('sessions')),
      presences: o.presences ?? new PresenceSessions(await base.bus.kv('presence')),
    };
    return new PresenceService(ctx, opts, (c) => [presenceStanzasWorker(c), rosterQueriesWorker(c), sweeperWorker(c, c.config.sweepInterval)]);
  }
}
