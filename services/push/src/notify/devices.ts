import type { SessionRecord } from '@concord/registry';

/**
 * The device a session belongs to: its stable client identity (SASL2 user-agent id; the bound
 * resource for legacy sessions), or the resource when a 2.0 client gave no user-agent id.
 */
export function deviceOf(clientId: string, fullJid: string): string {
  if (clientId) return clientId;
  const slash = fullJid.indexOf('/');
  return slash < 0 ? '' : fullJid.slice(slash + 1);
}

/**
 * A device is connected when one of its sessions is in the registry and not detached. A
 * detached session (its connection gone, its stream waiting for resumption with the stanzas
 * queued) is not connected: the device needs waking.
 */
export function deviceConnected(sessions: readonly SessionRecord[], device: string): boolean {
  return sessions.some((s) => !s.detached && deviceOf(s.clientId, s.fullJid) === device);
}
