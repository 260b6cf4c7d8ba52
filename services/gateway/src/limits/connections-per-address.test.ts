import { ConnectionsPerAddress } from './connections-per-address';

describe('ConnectionsPerAddress', () => {
  it('refuses an address at its limit and admits it again once one of its connections is gone', () => {
    const limits = new ConnectionsPerAddress(2);
    const a = limits.admit('192.0.2.1');
    const b = limits.admit('192.0.2.1');
    expect(a && b).toBeDefined();
    expect(limits.admit('192.0.2.1')).toBeUndefined();
    expect(limits.admit('192.0.2.2')).toBeDefined();
    a!();
    expect(limits.count('192.0.2.1')).toBe(1);
    expect(limits.admit('192.0.2.1')).toBeDefined();
  });

  it('counts a release once however many places report the end', () => {
    const limits = new ConnectionsPerAddress(1);
    const first = limits.admit('192.0.2.1')!;
    const second = limits.admit('192.0.2.9')!;
    first();
    first();
    expect(limits.count('192.0.2.1')).toBe(0);
    expect(limits.count('192.0.2.9')).toBe(1);
    second();
    expect(limits.count('192.0.2.9')).toBe(0);
  });
});
