export { GatewayService, type GatewayOptions } from './service';
export { readGatewayConfig, gatewaySpec, type GatewayConfig } from './config';
export type { GatewayContext } from './context';
