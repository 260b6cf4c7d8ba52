import type { BaseContext } from '@concord/runtime';
import type { RouterConfig } from './config';

/** Every dependency of the router; tests pass overrides instead of patching modules. */
export type RouterContext = BaseContext<RouterConfig>;
