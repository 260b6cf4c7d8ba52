import { mergeSpecs, readConfig, type ConfigOf, type Env } from '@concord/config';
import { commonSpec, httpPortVar } from '@concord/runtime';

export const pushSpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('push', 9105),
});

export type PushConfig = ConfigOf<typeof pushSpec>;

export function readPushConfig(env: Env): PushConfig {
  return readConfig(pushSpec, env);
}
