import { AuthThrottle, throttleKeyForIp, type AuthThrottleOptions } from './index';

function throttle(extra: Partial<AuthThrottleOptions> = {}) {
  const clock = { t: 1_000_000 };
  const t = new AuthThrottle({
    perIp: { maxFailures: 3, windowMs: 60_000 },
    perAccount: { maxFailures: 5, windowMs: 300_000 },
    now: () => clock.t,
    ...extra,
  });
  return { t, clock };
}

describe('AuthThrottle', () => {
  it('blocks an address after maxFailures until its window ends', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 3; i++) {
      expect(t.check('192.0.2.1')).toEqual({ allowed: true });
      t.failure('192.0.2.1');
      clock.t += 1_000;
    }
    // Window opened at the first failure, 3 s ago.
    expect(t.check('192.0.2.1')).toEqual({ allowed: false, retryAfterMs: 57_000 });
    expect(t.check('192.0.2.2')).toEqual({ allowed: true });
    clock.t += 56_999;
    expect(t.check('192.0.2.1')).toEqual({ allowed: false, retryAfterMs: 1 });
    clock.t += 1;
    expect(t.check('192.0.2.1')).toEqual({ allowed: true });
    t.failure('192.0.2.1'); // a fresh window
    expect(t.check('192.0.2.1')).toEqual({ allowed: true });
  });

  it('blocks an account from one address after its limit, and waits for the later limit', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 5; i++) t.failure('198.51.100.1', 'alice');
    expect(t.check('198.51.100.1', 'alice')).toEqual({ allowed: false, retryAfterMs: 300_000 });
    // The owner elsewhere, and other accounts, are not affected.
    expect(t.check('203.0.113.9', 'alice')).toEqual({ allowed: true });
    expect(t.check('198.51.100.1', 'bob').allowed).toBe(false); // the address itself is over its limit (3)
    expect(t.check('203.0.113.9', 'bob')).toEqual({ allowed: true });
    // The address's window (60 s) ends first; the account's from it (300 s) still holds.
    clock.t += 250_000;
    expect(t.check('198.51.100.1', 'bob')).toEqual({ allowed: true });
    expect(t.check('198.51.100.1', 'alice')).toEqual({ allowed: false, retryAfterMs: 50_000 });
  });

  it('stops a distributed guess for strangers only: addresses the owner logged in from keep working', () => {
    const { t } = throttle();
    t.success('192.0.2.50', 'alice');
    // 50 failures (10 x the per-address limit) from 50 addresses, two each at most per address.
    for (let i = 0; i < 50; i++) t.failure(`198.51.${100 + (i % 25)}.${i}`, 'alice');
    expect(t.check('203.0.113.9', 'alice')).toEqual({ allowed: false, retryAfterMs: 300_000 });
    expect(t.check('192.0.2.50', 'alice')).toEqual({ allowed: true });
    expect(t.check('203.0.113.9', 'bob')).toEqual({ allowed: true });
    // The owner's success does not reset the attacker's count.
    t.success('192.0.2.50', 'alice');
    expect(t.check('203.0.113.9', 'alice').allowed).toBe(false);
  });

  it('success clears the account from that address but not the address itself', () => {
    const { t } = throttle({ perIp: { maxFailures: 100, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) t.failure('192.0.2.1', 'alice');
    expect(t.check('192.0.2.1', 'alice').allowed).toBe(false);
    t.success('192.0.2.1', 'alice');
    expect(t.check('192.0.2.1', 'alice')).toEqual({ allowed: true });
    for (let i = 0; i < 95; i++) t.failure('192.0.2.1');
    expect(t.check('192.0.2.1').allowed).toBe(false);
  });

  it('forgets the least recently failed key beyond maxTrackedKeys', () => {
    const { t } = throttle({ maxTrackedKeys: 2 });
    const block = (ip: string): void => {
      for (let i = 0; i < 3; i++) t.failure(ip);
    };
    block('192.0.2.1');
    block('192.0.2.2');
    t.failure('192.0.2.1'); // most recently failed now
    block('192.0.2.3');
    expect(t.tracked.ips).toBe(2);
    expect(t.check('192.0.2.2')).toEqual({ allowed: true }); // evicted
    expect(t.check('192.0.2.1').allowed).toBe(false);
    expect(t.check('192.0.2.3').allowed).toBe(false);
  });

  it('drops expired windows when touched', () => {
    const { t, clock } = throttle();
    t.failure('192.0.2.1', 'alice');
    clock.t += 300_000;
    t.check('192.0.2.1', 'alice');
    expect(t.tracked).toEqual({ ips: 0, accounts: 0 });
  });

  it('counts an IPv6 /64 as one address and IPv4-mapped addresses as IPv4', () => {
    const { t } = throttle();
    t.failure('2001:db8:1:2::1');
    t.failure('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    t.failure('2001:0DB8:0001:0002::ffff%eth0');
    expect(t.check('2001:db8:1:2::99').allowed).toBe(false);
    expect(t.check('2001:db8:1:3::1')).toEqual({ allowed: true });
    for (let i = 0; i < 3; i++) t.failure('::ffff:192.0.2.1');
    expect(t.check('192.0.2.1').allowed).toBe(false);
  });

  it('works with the default monotonic clock', () => {
    const t = new AuthThrottle({ perIp: { maxFailures: 1, windowMs: 60_000 }, perAccount: { maxFailures: 1, windowMs: 60_000 } });
    t.failure('192.0.2.1');
    const d = t.check('192.0.2.1');
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.retryAfterMs).toBeGreaterThan(59_000);
  });

  it.each([
    [{ perIp: { maxFailures: 0, windowMs: 1 } }],
    [{ perIp: { maxFailures: 1.5, windowMs: 1 } }],
    [{ perAccount: { maxFailures: 1, windowMs: 0 } }],
    [{ perAccount: { maxFailures: 1, windowMs: Number.NaN } }],
    [{ maxTrackedKeys: 0 }],
  ])('rejects invalid options %j', (bad) => {
    expect(() => throttle(bad)).toThrow(RangeError);
  });
});

describe('throttleKeyForIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0:0:1:2:3:4', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:0201', '192.0.2.1'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['1::2::3', '1::2::3'],
    ['1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8:9'],
    ['::ffff:300.0.0.1', '::ffff:300.0.0.1'],
    ['not-an-ip', 'not-an-ip'],
  ])('%s -> %s', (ip, key) => expect(throttleKeyForIp(ip)).toBe(key));
});
