import { mergeSpecs, readConfig, type ConfigOf, type Env } from '@concord/config';
import { commonSpec, httpPortVar } from '@concord/runtime';

export const pushSpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('push'),
});

export type PushConfig = ConfigOf<typeof pushSpec>;

export function readPushConfig(env: Env): PushConfig {
  return readConfig(pushSpec, env);
}
