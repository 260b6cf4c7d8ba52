import type { BaseContext } from '@concord/runtime';
import type { GatewayConfig } from './config';

/** Every dependency of the gateway; tests pass overrides instead of patching modules. */
export type GatewayContext = BaseContext<GatewayConfig>;
