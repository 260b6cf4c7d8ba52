import { createHash, randomBytes } from 'node:crypto';
import type { Jid } from '@concord/jid';
import { normalizeResourcepart } from '@concord/jid';
import type { Element } from '@concord/xml';
import { base32, NS } from '@concord/xmpp';

/** What a Bind2 request (XEP-0386) asks for, read from <bind xmlns='urn:xmpp:bind:0'>. */
export interface Bind2Request {
  tag: string | undefined;
  enableSm: boolean;
  smResume: boolean;
  inactive: boolean;
  imNg: boolean;
  /** Concord's catch-up request (DESIGN §7): from an archive ID or a time, at most `max` messages. */
  catchup: { afterId?: string; since?: string; max: number } | undefined;
}

/** Catch-up size when the client names none. */
export const CATCHUP_DEFAULT = 250;

/** `catchupMax`: largest catch-up sent inline; beyond it the newest part is sent and the client pages back with MAM. */
export function readBind2(bind: Element, catchupMax: number): Bind2Request {
  const sm = bind.getChild('enable', NS.sm);
  return {
    tag: bind.getChildText('tag', NS.bind2)?.trim() || undefined,
    enableSm: sm !== undefined,
    smResume: sm !== undefined && ['true', '1'].includes(sm.attrs['resume'] ?? ''),
    inactive: bind.getChild('inactive', NS.csi) !== undefined,
    imNg: bind.getChild('enable', NS.imNg) !== undefined,
    catchup: readCatchup(bind.getChild('catchup', NS.concord), catchupMax),
  };
}

function readCatchup(c: Element | undefined, limit: number): Bind2Request['catchup'] {
  if (!c) return undefined;
  const fallback = Math.min(CATCHUP_DEFAULT, limit);
  const max = Number(c.attrs['max'] ?? fallback);
  return {
    ...(c.attrs['after-id'] ? { afterId: c.attrs['after-id'] } : {}),
    ...(c.attrs['since'] ? { since: c.attrs['since'] } : {}),
    max: Number.isInteger(max) && max >= 0 ? Math.min(max, limit) : fallback,
  };
}

/**
 * The resource the server gives a Bind2 session: the client's tag (if any) and a suffix that
 * is stable for one client identity (SASL2 user-agent id) on one account, so a device keeps
 * its resource across reconnects; random when the client gave no identity.
 */
export function bind2Resource(account: Jid, tag: string | undefined, clientId: string | undefined): string {
  const suffix = clientId
    ? base32(createHash('sha256').update(`${account.toString()}\n${clientId}`).digest()).slice(0, 8)
    : base32(randomBytes(5));
  let prefix = 'concord';
  if (tag) {
    try {
      prefix = normalizeResourcepart(tag.slice(0, 64));
    } catch {
      // an unusable tag is ignored rather than failing the whole login
    }
  }
  return `${prefix}.${suffix}`;
}

/** A fresh random resource for an RFC 6120 bind without a requested resource. */
export function randomResource(): string {
  return `concord.${base32(randomBytes(10))}`;
}
