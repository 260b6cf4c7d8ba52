import { BasicService, openBaseContext, type ServiceOptions } from '@concord/runtime';
import type { PresenceConfig } from './config';
import type { PresenceContext } from './context';

export type PresenceOptions = ServiceOptions<PresenceContext>;

/** The presence service: connected to the bus and Cassandra, serving health; its work arrives with its features. */
export class PresenceService extends BasicService<PresenceConfig> {
  static async create(config: PresenceConfig, opts: PresenceOptions = {}): Promise<PresenceService> {
    return new PresenceService(await openBaseContext('presence', config, opts.overrides), opts, () => []);
  }
}
