import { mergeSpecs, readConfig, type ConfigOf, type Env } from '@concord/config';
import { commonSpec, httpPortVar } from '@concord/runtime';

export const archiveSpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('archive'),
});

export type ArchiveConfig = ConfigOf<typeof archiveSpec>;

export function readArchiveConfig(env: Env): ArchiveConfig {
  return readConfig(archiveSpec, env);
}
