import { BasicService, openBaseContext, type ServiceOptions } from '@concord/runtime';
import type { ArchiveConfig } from './config';
import type { ArchiveContext } from './context';

export type ArchiveOptions = ServiceOptions<ArchiveContext>;

/** The archive service: connected to the bus and Cassandra, serving health; its work arrives with its features. */
export class ArchiveService extends BasicService<ArchiveConfig> {
  static async create(config: ArchiveConfig, opts: ArchiveOptions = {}): Promise<ArchiveService> {
    return new ArchiveService(await openBaseContext('archive', config, opts.overrides), opts, (ctx) => []);
  }
}
