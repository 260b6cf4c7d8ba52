import { createHash, timingSafeEqual } from 'node:crypto';

/** The archive API's methods: what a caller may be allowed. */
export const ARCHIVE_METHODS = ['Query', 'GetMessages', 'Sync', 'ListConversations', 'DeleteAccountArchive', 'RetractMessage'] as const;
export type ArchiveMethod = (typeof ARCHIVE_METHODS)[number];

/**
 * One item of CONCORD_ARCHIVE_GRPC_CALLERS: NAME:METHODS[:TOKEN]. Tokens are at least 16
 * characters of the base64/base64url/hex alphabets, so they never contain ':' or ','.
 */
export const CALLER_ITEM = /^[A-Za-z0-9_.-]{1,64}:(\*|[A-Za-z]+(\+[A-Za-z]+)*)(:[A-Za-z0-9._~+/=-]{16,512})?$/;

export interface Caller {
  name: string;
  methods: ReadonlySet<ArchiveMethod>;
  /** SHA-256 of the bearer token; undefined for a caller identified by its client certificate. */
  tokenHash: Buffer | undefined;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function parseCallers(items: readonly string[]): Caller[] {
  const names = new Set<string>();
  return items.map((item) => {
    if (!CALLER_ITEM.test(item)) throw new Error(`caller ${JSON.stringify(item.split(':')[0])} must be NAME:METHODS[:TOKEN]`);
    const [name, methodList, token] = item.split(':') as [string, string, string | undefined];
    if (names.has(name)) throw new Error(`caller ${name} declared twice`);
    names.add(name);
    const listed = methodList === '*' ? [...ARCHIVE_METHODS] : methodList.split('+');
    const unknown = listed.filter((m) => !(ARCHIVE_METHODS as readonly string[]).includes(m));
    if (unknown.length > 0) throw new Error(`caller ${name}: unknown method(s) ${unknown.join(', ')} (known: ${ARCHIVE_METHODS.join(', ')})`);
    return { name, methods: new Set(listed as ArchiveMethod[]), tokenHash: token === undefined ? undefined : sha256(token) };
  });
}

/** Who is calling, from a bearer token or a verified client certificate's CN. */
export class CallerRegistry {
  private readonly byName: Map<string, Caller>;

  constructor(readonly callers: readonly Caller[]) {
    this.byName = new Map(callers.map((c) => [c.name, c]));
  }

  get empty(): boolean {
    return this.callers.length === 0;
  }

  /** The caller holding this token (constant-time comparison of hashes). */
  byToken(token: string): Caller | undefined {
    const hash = sha256(token);
    return this.callers.find((c) => c.tokenHash !== undefined && timingSafeEqual(c.tokenHash, hash));
  }

  /** The certificate caller with this name (callers with a token do not authenticate by certificate). */
  byCertificateName(cn: string): Caller | undefined {
    const c = this.byName.get(cn);
    return c && c.tokenHash === undefined ? c : undefined;
  }
}
