import { mergeSpecs, readConfig, type ConfigOf, type Env } from '@concord/config';
import { commonSpec, httpPortVar } from '@concord/runtime';

export const presenceSpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('presence'),
  sweepInterval: {
    env: 'CONCORD_PRESENCE_SWEEP_INTERVAL', type: 'duration', default: 15_000, minMs: 200, maxMs: 600_000,
    doc: 'How often the presence service looks for available sessions that left the session registry without unavailable (their gateway died); such a session is announced unavailable once two looks in a row miss it',
  },
});

export type PresenceConfig = ConfigOf<typeof presenceSpec>;

export function readPresenceConfig(env: Env): PresenceConfig {
  return readConfig(presenceSpec, env);
}
