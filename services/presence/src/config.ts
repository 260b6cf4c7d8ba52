import { mergeSpecs, readConfig, type ConfigOf, type Env } from '@concord/config';
import { commonSpec, httpPortVar } from '@concord/runtime';

export const presenceSpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('presence'),
});

export type PresenceConfig = ConfigOf<typeof presenceSpec>;

export function readPresenceConfig(env: Env): PresenceConfig {
  return readConfig(presenceSpec, env);
}
