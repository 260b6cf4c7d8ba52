/**
 * The stanzas the gateway answers itself, in the order they are tried (the first that claims a
 * stanza answers it; what none claims is routed). Built once per gateway.
 */
import type { AccountStore } from '@concord/storage';
import type { AuthThrottle } from '@concord/sasl';
import type { GatewayConfig } from '../config';
import type { ArchiveQuerier } from '../producers/archive-query';
import type { PushSettingsClient } from '../producers/push-settings';
import type { RosterQuerier } from '../producers/roster-query';
import { adminHandler } from './admin';
import { carbonsHandler } from './carbons';
import type { LocalHandler } from './handler';
import { mamPrefsHandler } from './mam-prefs';
import { ownArchiveHandler } from './own-archive';
import { ownDiscoInfoHandler } from './own-disco-info';
import { pushSettingsHandler } from './push-settings';
import { registrationHandler } from './registration';
import { rosterHandler } from './roster';

export type { EndStream, HandlerSession, LocalHandler } from './handler';

export interface HandlerDeps {
  config: GatewayConfig;
  accounts: AccountStore;
  registrationThrottle: AuthThrottle;
  archive: ArchiveQuerier;
  roster: RosterQuerier;
  push: PushSettingsClient;
  /** Ends every session of an account on this node (an admin deleted it). */
  endAccount(bareJid: string): void;
  newId(): string;
}

export function localHandlers(d: HandlerDeps): readonly LocalHandler[] {
  const { config } = d;
  return [
    ownDiscoInfoHandler(d.push),
    ownArchiveHandler(d.archive),
    mamPrefsHandler(),
    pushSettingsHandler(d.push),
    rosterHandler(d.roster),
    carbonsHandler(config.domain),
    adminHandler(config.domain, {
      domain: config.domain,
      accounts: d.accounts,
      // Admins are named in CONCORD_ADMINS or flagged on their account (concordctl account add --admin).
      isAdmin: async (bare) => config.admins.includes(bare) || (await d.accounts.get(bare))?.admin === true,
      onAccountDeleted: d.endAccount,
      newSessionId: d.newId,
    }),
    registrationHandler({ accounts: d.accounts, domain: config.domain, throttle: d.registrationThrottle, enabled: config.registration }),
  ];
}
