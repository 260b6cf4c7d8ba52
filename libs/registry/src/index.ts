export { SessionRegistry, sessionKey, type SessionRecord } from './session-registry';
