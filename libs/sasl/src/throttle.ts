import { throttleKeyForIp } from './ip-key';

export interface ThrottleLimit {
  /** Failures tolerated within one window; the next attempt is refused until the window ends. */
  maxFailures: number;
  windowMs: number;
}

export interface AuthThrottleOptions {
  perIp: ThrottleLimit;
  /**
   * Per account and address: one address guessing at one account is stopped for the window.
   * Across addresses (a distributed guess) an account is stopped after DISTRIBUTED_FACTOR times
   * as many failures, and then only for addresses that never logged into it: the owner's own
   * addresses keep working, so a stranger cannot lock an owner out.
   */
  perAccount: ThrottleLimit;
  /** Milliseconds on a monotonic clock; defaults to performance.now() (immune to clock steps). */
  now?: () => number;
  /** Keys tracked per table before the least recently failed one is forgotten. */
  maxTrackedKeys?: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Bounds memory: ~100 bytes a key, so about 1 MB per table at the default. */
export const DEFAULT_MAX_TRACKED_KEYS = 10_000;

/** Failures of one account, from any addresses, per its per-address limit before strangers wait. */
export const DISTRIBUTED_FACTOR = 10;

/** Addresses remembered per account as ones it logged in from. */
const TRUSTED_PER_ACCOUNT = 8;

interface Window {
  start: number;
  failures: number;
}

/**
 * Failure counts in fixed windows that open at a key's first failure. Cheaper than a sliding log
 * (two numbers per key whatever the limit) at the cost of letting up to 2*maxFailures-1 failures
 * through around a window boundary. A Map in least-recently-failed order gives cheap eviction.
 */
class FailureTable {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: ThrottleLimit,
    private readonly maxKeys: number,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  wait(key: string, now: number): number {
    const w = this.live(key, now);
    if (w === undefined || w.failures < this.limit.maxFailures) return 0;
    return Math.max(1, Math.min(this.limit.windowMs, w.start + this.limit.windowMs - now));
  }

  record(key: string, now: number): void {
    const w = this.live(key, now) ?? { start: now, failures: 0 };
    w.failures++;
    this.windows.delete(key); // re-insert at the end: most recently failed
    this.windows.set(key, w);
    // Evicting forgets a key's failures: an attacker filling the table can reset a count, which
    // is the price of a bound. IPv6 /64 keying keeps one host from cheaply flooding it.
    while (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
  }

  clear(key: string): void {
    this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  private live(key: string, now: number): Window | undefined {
    const w = this.windows.get(key);
    // A clock that went backwards (only an injected one can) ends the window too.
    if (w !== undefined && (now - w.start >= this.limit.windowMs || now < w.start)) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }
}

function pairKey(account: string, ipKey: string): string {
  return `${account}\n${ipKey}`;
}

function checkLimit(name: string, l: ThrottleLimit): void {
  if (!Number.isSafeInteger(l.maxFailures) || l.maxFailures < 1) throw new RangeError(`${name}.maxFailures must be a positive integer`);
  if (!(l.windowMs > 0) || !Number.isFinite(l.windowMs)) throw new RangeError(`${name}.windowMs must be a positive number`);
}

/**
 * Brute-force brake for authentication, in memory, per process. Call check() before starting an
 * exchange (again with the account once SaslSession.authcid is known), failure() when it fails
 * with not-authorized, success() when it succeeds. It holds no timers: expired windows are dropped
 * when next touched or evicted, so nothing keeps the process alive.
 *
 * success() forgets the account's failures from that address but not the address's own: otherwise
 * an attacker holding one valid account could log into it between guesses at others and never be
 * slowed.
 * Exchanges in flight are not counted until they end, so the caller should also bound concurrent
 * authentications per connection (XMPP allows one) and per address.
 */
export class AuthThrottle {
  private readonly ips: FailureTable;
  private readonly pairs: FailureTable;
  private readonly accounts: FailureTable;
  /** account → addresses (throttle keys) it logged in from, least recently used first. */
  private readonly trusted = new Map<string, string[]>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(opts: AuthThrottleOptions) {
    checkLimit('perIp', opts.perIp);
    checkLimit('perAccount', opts.perAccount);
    const maxKeys = opts.maxTrackedKeys ?? DEFAULT_MAX_TRACKED_KEYS;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxTrackedKeys must be a positive integer');
    this.maxKeys = maxKeys;
    this.ips = new FailureTable({ ...opts.perIp }, maxKeys);
    this.pairs = new FailureTable({ ...opts.perAccount }, maxKeys);
    this.accounts = new FailureTable({ ...opts.perAccount, maxFailures: opts.perAccount.maxFailures * DISTRIBUTED_FACTOR }, maxKeys);
    this.now = opts.now ?? (() => performance.now());
  }

  /** Refused when the address, the account from this address, or (for a stranger) the account is over its limit; waits for the latest. */
  check(ip: string, account?: string): ThrottleDecision {
    const now = this.now();
    const key = throttleKeyForIp(ip);
    let wait = this.ips.wait(key, now);
    if (account !== undefined) {
      wait = Math.max(wait, this.pairs.wait(pairKey(account, key), now));
      if (!this.trusted.get(account)?.includes(key)) wait = Math.max(wait, this.accounts.wait(account, now));
    }
    return wait === 0 ? { allowed: true } : { allowed: false, retryAfterMs: Math.ceil(wait) };
  }

  failure(ip: string, account?: string): void {
    const now = this.now();
    const key = throttleKeyForIp(ip);
    this.ips.record(key, now);
    if (account === undefined) return;
    this.pairs.record(pairKey(account, key), now);
    this.accounts.record(account, now);
  }

  /**
   * The account's failures from this address are forgotten and the address is trusted for it.
   * Its failures from elsewhere stay: an attacker's count does not reset when the owner logs in.
   */
  success(ip: string, account?: string): void {
    if (account === undefined) return;
    const key = throttleKeyForIp(ip);
    this.pairs.clear(pairKey(account, key));
    const known = (this.trusted.get(account) ?? []).filter((k) => k !== key);
    known.push(key);
    this.trusted.delete(account);
    this.trusted.set(account, known.slice(-TRUSTED_PER_ACCOUNT));
    while (this.trusted.size > this.maxKeys) this.trusted.delete(this.trusted.keys().next().value!);
  }

  /** Tracked keys, for metrics. */
  get tracked(): { ips: number; accounts: number } {
    return { ips: this.ips.size, accounts: this.accounts.size + this.pairs.size };
  }
}
