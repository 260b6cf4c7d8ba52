import { throttleKeyForIp } from './ip-key';

export interface ThrottleLimit {
  /** Failures tolerated within one window; the next attempt is refused until the window ends. */
  maxFailures: number;
  windowMs: number;
}

export interface AuthThrottleOptions {
  perIp: ThrottleLimit;
  /**
   * Per account, whatever the address: stops a distributed guess at one password. It also lets
   * anyone lock an account out for a window, so keep this limit looser than the per-IP one.
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
 * success() forgets the account's failures but not the address's: otherwise an attacker holding
 * one valid account could log into it between guesses at others and never be slowed.
 * Exchanges in flight are not counted until they end, so the caller should also bound concurrent
 * authentications per connection (XMPP allows one) and per address.
 */
export class AuthThrottle {
  private readonly ips: FailureTable;
  private readonly accounts: FailureTable;
  private readonly now: () => number;

  constructor(opts: AuthThrottleOptions) {
    checkLimit('perIp', opts.perIp);
    checkLimit('perAccount', opts.perAccount);
    const maxKeys = opts.maxTrackedKeys ?? DEFAULT_MAX_TRACKED_KEYS;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxTrackedKeys must be a positive integer');
    this.ips = new FailureTable({ ...opts.perIp }, maxKeys);
    this.accounts = new FailureTable({ ...opts.perAccount }, maxKeys);
    this.now = opts.now ?? (() => performance.now());
  }

  /** Refused when either the address or the account is over its limit; waits for the later one. */
  check(ip: string, account?: string): ThrottleDecision {
    const now = this.now();
    const wait = Math.max(this.ips.wait(throttleKeyForIp(ip), now), account === undefined ? 0 : this.accounts.wait(account, now));
    return wait === 0 ? { allowed: true } : { allowed: false, retryAfterMs: Math.ceil(wait) };
  }

  failure(ip: string, account?: string): void {
    const now = this.now();
    this.ips.record(throttleKeyForIp(ip), now);
    if (account !== undefined) this.accounts.record(account, now);
  }

  success(_ip: string, account?: string): void {
    if (account !== undefined) this.accounts.clear(account);
  }

  /** Tracked keys, for metrics. */
  get tracked(): { ips: number; accounts: number } {
    return { ips: this.ips.size, accounts: this.accounts.size };
  }
}
