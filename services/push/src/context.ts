import type { BaseContext } from '@concord/runtime';
import type { PushConfig } from './config';

/** Every dependency of the push; tests pass overrides instead of patching modules. */
export type PushContext = BaseContext<PushConfig>;
