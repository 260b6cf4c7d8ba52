export { PushService, type PushOptions } from './service';
export { readPushConfig, pushSpec, type PushConfig } from './config';
export type { PushContext } from './context';
