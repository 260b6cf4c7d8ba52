import { BasicService, openBaseContext, type ServiceOptions } from '@concord/runtime';
import type { PushConfig } from './config';
import type { PushContext } from './context';

export type PushOptions = ServiceOptions<PushContext>;

/** The push service: connected to the bus and Cassandra, serving health; its work arrives with its features. */
export class PushService extends BasicService<PushConfig> {
  static async create(config: PushConfig, opts: PushOptions = {}): Promise<PushService> {
    return new PushService(await openBaseContext('push', config, opts.overrides), opts, () => []);
  }
}
