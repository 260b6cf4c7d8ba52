export { GatewayService, type GatewayOptions } from './service';
export { readGatewayConfig, gatewaySpec, type GatewayConfig } from './config';
export type { GatewayContext } from './context';
export { SmStore, SmStreamMoved, type SmStateRecord } from './sm/sm-store';
