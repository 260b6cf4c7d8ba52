import type { SecureContext } from 'node:tls';
import type { BaseContext } from '@concord/runtime';
import type { AuthThrottle } from '@concord/sasl';
import type { AccountStore } from '@concord/storage';
import type { GatewayConfig } from './config';
import type { LocalSessionTable, RegistryWriter } from './session/session-table';
import type { InboundSink } from './session/connection-deps';
import type { SmStore } from './sm/sm-store';
import type { LegacyMarkStore } from './session/legacy-marks';

/** Every dependency of the gateway; tests pass overrides instead of patching modules. */
export interface GatewayContext extends BaseContext<GatewayConfig> {
  accounts: AccountStore;
  throttle: AuthThrottle;
  secureContext: SecureContext;
  /** Writes this node's sessions into the cluster-wide registry. */
  registry: RegistryWriter;
  sessions: LocalSessionTable;
  inbound: InboundSink;
  smStore: SmStore;
  /** What legacy sessions last received, for their replay at the next login. */
  legacyMarks: LegacyMarkStore;
}
