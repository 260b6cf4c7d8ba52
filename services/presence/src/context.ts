import type { PresenceSessions, SessionRegistry } from '@concord/registry';
import type { BaseContext } from '@concord/runtime';
import type { AccountStore, RosterStore } from '@concord/storage';
import type { PresenceConfig } from './config';

/** Every dependency of the presence service; tests pass overrides instead of patching modules. */
export interface PresenceContext extends BaseContext<PresenceConfig> {
  rosters: RosterStore;
  accounts: AccountStore;
  /** Where sessions are (read only here; the gateways write it). */
  registry: SessionRegistry;
  /** Availability, last presence, directed presence and roster interest of sessions. */
  presences: PresenceSessions;
}
