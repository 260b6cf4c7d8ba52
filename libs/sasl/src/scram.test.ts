import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { DEFAULT_SCRAM_ITERATIONS, deriveAllCredentials, deriveScramCredential, PasswordError, SCRAM_SALT_BYTES } from './index';

const salt = Buffer.from('QSXCR+Q6sek8bf92', 'base64');

describe('deriveScramCredential', () => {
  it('is deterministic for a fixed salt and count', () => {
    const a = deriveScramCredential('SCRAM-SHA-256', 'pencil', { salt, iterations: 4096 });
    const b = deriveScramCredential('SCRAM-SHA-256', 'pencil', { salt, iterations: 4096 });
    expect(a).toEqual(b);
    expect(a.salt).toEqual(salt);
    expect(a.iterations).toBe(4096);
    expect(a.storedKey).toHaveLength(32);
    expect(a.serverKey).toHaveLength(32);
  });

  it('matches RFC 5802 §3 computed independently', () => {
    const salted = pbkdf2Sync('pencil', salt, 4096, 20, 'sha1');
    const c = deriveScramCredential('SCRAM-SHA-1', 'pencil', { salt, iterations: 4096 });
    expect(c.storedKey).toEqual(createHash('sha1').update(createHmac('sha1', salted).update('Client Key').digest()).digest());
    expect(c.serverKey).toEqual(createHmac('sha1', salted).update('Server Key').digest());
  });

  it('changes with the salt, the count and the password', () => {
    const base = deriveScramCredential('SCRAM-SHA-1', 'pencil', { salt, iterations: 4096 });
    expect(deriveScramCredential('SCRAM-SHA-1', 'pencil', { salt: Buffer.alloc(16), iterations: 4096 }).storedKey).not.toEqual(base.storedKey);
    expect(deriveScramCredential('SCRAM-SHA-1', 'pencil', { salt, iterations: 4097 }).storedKey).not.toEqual(base.storedKey);
    expect(deriveScramCredential('SCRAM-SHA-1', 'pencil2', { salt, iterations: 4096 }).storedKey).not.toEqual(base.storedKey);
  });

  it('prepares the password first (non-ASCII space, NFC)', () => {
    const a = deriveScramCredential('SCRAM-SHA-1', 'caf\u00e9\u00a0au lait', { salt, iterations: 16 });
    const b = deriveScramCredential('SCRAM-SHA-1', 'cafe\u0301 au lait', { salt, iterations: 16 });
    expect(a).toEqual(b);
  });

  it('defaults to a random 16-byte salt and the named iteration count', () => {
    const a = deriveScramCredential('SCRAM-SHA-256', 'pencil');
    const b = deriveScramCredential('SCRAM-SHA-256', 'pencil');
    expect(a.salt).toHaveLength(SCRAM_SALT_BYTES);
    expect(a.salt).not.toEqual(b.salt);
    expect(a.iterations).toBe(DEFAULT_SCRAM_ITERATIONS['SCRAM-SHA-256']);
    expect(DEFAULT_SCRAM_ITERATIONS['SCRAM-SHA-1']).toBeGreaterThanOrEqual(4096);
    expect(DEFAULT_SCRAM_ITERATIONS['SCRAM-SHA-256']).toBeGreaterThanOrEqual(4096);
  });

  it('rejects bad parameters and invalid passwords', () => {
    expect(() => deriveScramCredential('SCRAM-SHA-1', 'pencil', { iterations: 0 })).toThrow(RangeError);
    expect(() => deriveScramCredential('SCRAM-SHA-1', 'pencil', { iterations: 1.5 })).toThrow(RangeError);
    expect(() => deriveScramCredential('SCRAM-SHA-1', 'pencil', { salt: Buffer.alloc(0) })).toThrow(RangeError);
    expect(() => deriveScramCredential('SCRAM-MD5' as never, 'pencil')).toThrow(RangeError);
    expect(() => deriveScramCredential('SCRAM-SHA-1', '')).toThrow(PasswordError);
  });
});

describe('deriveAllCredentials', () => {
  it('derives every mechanism with its own salt', () => {
    const all = deriveAllCredentials('pencil', 8);
    expect(Object.keys(all).sort()).toEqual(['SCRAM-SHA-1', 'SCRAM-SHA-256']);
    expect(all['SCRAM-SHA-1'].storedKey).toHaveLength(20);
    expect(all['SCRAM-SHA-256'].storedKey).toHaveLength(32);
    expect(all['SCRAM-SHA-1'].iterations).toBe(8);
    expect(all['SCRAM-SHA-256'].iterations).toBe(8);
    expect(all['SCRAM-SHA-1'].salt).not.toEqual(all['SCRAM-SHA-256'].salt);
  });
});
