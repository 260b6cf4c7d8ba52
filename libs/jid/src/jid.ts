/**
 * XMPP addresses (RFC 7622): [ localpart "@" ] domainpart [ "/" resourcepart ].
 *
 * A Jid only ever holds enforced (canonical) parts, so two addresses are the same entity
 * exactly when their parts are equal code unit for code unit (RFC 7622 §3.2.3, §3.3.3,
 * §3.4.3), and toString() is the canonical form to route, store and compare on.
 */
import { normalizeDomainpart } from './domainpart';
import { JidError } from './error';
import { normalizeLocalpart } from './localpart';
import { normalizeResourcepart } from './resourcepart';

/** Builds a Jid from parts already enforced; the constructor stays private to the module. */
let trusted: (local: string, domain: string, resource: string) => Jid;

export class Jid {
  static {
    trusted = (local, domain, resource) => new Jid(local, domain, resource);
  }

  #text: string | undefined;

  private constructor(
    /** '' when absent. */
    readonly local: string,
    readonly domain: string,
    /** '' when absent. */
    readonly resource: string,
  ) {}

  /** A bare JID has no resourcepart: an account or a service rather than one session of it. */
  get isBare(): boolean {
    return this.resource === '';
  }

  bare(): Jid {
    return this.isBare ? this : trusted(this.local, this.domain, '');
  }

  /** The same local and domain parts with another resource; throws JidError if it is invalid. */
  withResource(resource: string): Jid {
    return trusted(this.local, this.domain, normalizeResourcepart(resource));
  }

  equals(other: Jid): boolean {
    if (this === other) return true;
    return this.domain === other.domain && this.local === other.local && this.resource === other.resource;
  }

  /** The canonical form: local@domain/resource, absent parts and their separators omitted. */
  toString(): string {
    if (this.#text === undefined) {
      const bare = this.local === '' ? this.domain : `${this.local}@${this.domain}`;
      this.#text = this.resource === '' ? bare : `${bare}/${this.resource}`;
    }
    return this.#text;
  }
}

/**
 * Parses and enforces an address; throws JidError. RFC 7622 §3.1 splits before any
 * normalization (mapping could produce new separators): the resource is everything after the
 * first '/', and the localpart everything before the first '@' ahead of it.
 */
export function parseJid(text: string): Jid {
  if (text.length === 0) throw new JidError('whole', 'empty address');
  const slash = text.indexOf('/');
  const resource = slash < 0 ? undefined : text.slice(slash + 1);
  const bare = slash < 0 ? text : text.slice(0, slash);
  const at = bare.indexOf('@');
  const local = at < 0 ? undefined : bare.slice(0, at);
  const domain = at < 0 ? bare : bare.slice(at + 1);
  return trusted(
    // A separator with nothing after (or before) it is an empty part, not an absent one.
    local === undefined ? '' : normalizeLocalpart(local),
    normalizeDomainpart(domain),
    resource === undefined ? '' : normalizeResourcepart(resource),
  );
}

/** Like parseJid, but undefined instead of an exception for a malformed address. */
export function tryParseJid(text: string): Jid | undefined {
  try {
    return parseJid(text);
  } catch (e) {
    if (e instanceof JidError) return undefined;
    throw e;
  }
}

/** Builds an address from separate parts, each enforced; '' or undefined means absent. */
export function makeJid(local: string, domain: string, resource?: string): Jid {
  return trusted(
    local === '' ? '' : normalizeLocalpart(local),
    normalizeDomainpart(domain),
    resource === undefined || resource === '' ? '' : normalizeResourcepart(resource),
  );
}
