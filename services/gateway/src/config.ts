import { mergeSpecs, readConfig, type ConfigOf, type Env } from '@concord/config';
import { commonSpec, httpPortVar } from '@concord/runtime';

export const gatewaySpec = mergeSpecs(commonSpec, {
  httpPort: httpPortVar('gateway', 9101),
});

export type GatewayConfig = ConfigOf<typeof gatewaySpec>;

export function readGatewayConfig(env: Env): GatewayConfig {
  return readConfig(gatewaySpec, env);
}
