/**
 * The XEP-0357 §7 notification summary of one message for one device: how many messages the
 * device was notified of since it last logged in, who sent the last one, and its body only when
 * the device's publish-options ask for bodies (privacy by default: bodies cross the app server
 * and the platform push service).
 */
import type { PublishOptions } from '@concord/storage';

export interface Summary {
  messageCount: number;
  lastMessageSender: string;
  lastMessageBody?: string;
}

/** The publish-options field that lets bodies into notifications (docs/push.md). */
export const INCLUDE_BODY_FIELD = 'include-body';

/** Longest body passed on, in characters (platform push payloads are small). */
export const MAX_BODY_CHARS = 1_000;

/** XEP-0004 boolean: "1" or "true". */
export function bodyAllowed(options: PublishOptions): boolean {
  const v = options[INCLUDE_BODY_FIELD]?.[0]?.trim().toLowerCase();
  return v === '1' || v === 'true';
}

export function buildSummary(input: { messageCount: number; sender: string; body: string; publishOptions: PublishOptions }): Summary {
  const summary: Summary = { messageCount: input.messageCount, lastMessageSender: input.sender };
  if (input.body && bodyAllowed(input.publishOptions)) summary.lastMessageBody = truncate(input.body, MAX_BODY_CHARS);
  return summary;
}

/** The summary as the XEP-0357 form fields (FORM_TYPE urn:xmpp:push:summary), by field var. */
export function summaryFields(s: Summary): Record<string, string | number> {
  return {
    'message-count': s.messageCount,
    'last-message-sender': s.lastMessageSender,
    ...(s.lastMessageBody !== undefined ? { 'last-message-body': s.lastMessageBody } : {}),
  };
}

/** Cuts at a code point boundary, never inside a surrogate pair. */
function truncate(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('');
}
