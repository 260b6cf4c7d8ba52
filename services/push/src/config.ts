import { ConfigError, mergeSpecs, readConfig, type ConfigOf, type Env } from '@concord/config';
import { commonSpec, httpPortVar } from '@concord/runtime';
import { APP_SERVER_ITEM, parseAppServers } from './transport/app-servers';

export const pushSpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('push'),
  appServers: {
    env: 'CONCORD_PUSH_APP_SERVERS', type: 'list', default: [], itemPattern: APP_SERVER_ITEM,
    doc: 'XEP-0357 app servers reachable by HTTP(S) webhook, comma-separated APP-SERVER-JID=URL (docs/push.md); an enable naming another app server is refused. None: push is off',
  },
  retryBase: {
    env: 'CONCORD_PUSH_RETRY_BASE', type: 'duration', default: 2_000, minMs: 10, maxMs: 3_600_000,
    doc: 'First retry delay of a notification the app server did not take; doubled at each retry',
  },
  retryMax: {
    env: 'CONCORD_PUSH_RETRY_MAX', type: 'duration', default: 600_000, minMs: 10, maxMs: 3_600_000,
    doc: 'Longest retry delay; after the push consumer\'s last delivery the notification is given up on and recorded on the registration',
  },
  httpTimeout: {
    env: 'CONCORD_PUSH_HTTP_TIMEOUT', type: 'duration', default: 10_000, minMs: 100, maxMs: 20_000,
    doc: 'Time allowed for one webhook request (a timeout is retried)',
  },
  concurrency: { env: 'CONCORD_PUSH_CONCURRENCY', type: 'int', default: 16, min: 1, max: 256, doc: 'Push requests handled at once per push instance' },
});

export type PushConfig = ConfigOf<typeof pushSpec>;

export function readPushConfig(env: Env): PushConfig {
  const config = readConfig(pushSpec, env);
  try {
    parseAppServers(config.appServers);
  } catch (err) {
    throw new ConfigError([`CONCORD_PUSH_APP_SERVERS: ${(err as Error).message}`]);
  }
  if (config.retryMax < config.retryBase) throw new ConfigError(['CONCORD_PUSH_RETRY_MAX must be at least CONCORD_PUSH_RETRY_BASE']);
  return config;
}
