import type { PushAccountsWriter, SessionRegistry } from '@concord/registry';
import type { BaseContext } from '@concord/runtime';
import type { NotifyPrefsStore, PushRegistrationStore, PushSentStore } from '@concord/storage';
import type { PushConfig } from './config';
import type { PushMetrics } from './metrics';
import type { TransportDirectory } from './transport/transport';

/** Every dependency of the push service; tests pass overrides instead of patching modules. */
export interface PushContext extends BaseContext<PushConfig> {
  registrations: PushRegistrationStore;
  /** The accounts with registrations, which the router reads to skip push requests for the rest. */
  pushAccounts: PushAccountsWriter;
  sent: PushSentStore;
  prefs: NotifyPrefsStore;
  sessions: SessionRegistry;
  /** Which transport reaches which app server (webhooks from CONCORD_PUSH_APP_SERVERS). */
  transports: TransportDirectory;
  metrics: PushMetrics;
}
