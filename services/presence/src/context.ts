import type { BaseContext } from '@concord/runtime';
import type { PresenceConfig } from './config';

/** Every dependency of the presence; tests pass overrides instead of patching modules. */
export type PresenceContext = BaseContext<PresenceConfig>;
