export { PresenceService, type PresenceOptions } from './service';
export { readPresenceConfig, presenceSpec, type PresenceConfig } from './config';
export type { PresenceContext } from './context';
