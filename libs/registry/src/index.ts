export { SessionRegistry, type SessionRecord } from './session-registry';
export { PresenceSessions, type PresenceSessionRecord, type PresenceChange } from './presence-sessions';
export { sessionKey, keyOfFullJid, type Revised } from './jid-bucket';
export { SessionDirectory } from './session-directory';
export { PushAccounts, PushAccountsWriter } from './push-accounts';
