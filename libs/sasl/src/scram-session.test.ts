import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { createSaslSession, deriveScramCredential, SaslError, type CredentialLookup, type SaslSession, type SaslStepResult, type ScramCredential, type ScramMechanism } from './index';

const B = (s: string): Buffer => Buffer.from(s, 'utf8');
const DIGEST = { 'SCRAM-SHA-1': 'sha1', 'SCRAM-SHA-256': 'sha256' } as const;
const LEN = { 'SCRAM-SHA-1': 20, 'SCRAM-SHA-256': 32 } as const;

/** Accounts keyed by username; the lookup counts its calls. */
function store(accounts: Record<string, Partial<Record<ScramMechanism, ScramCredential>>>): CredentialLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (username: string, mech: ScramMechanism): Promise<ScramCredential | undefined> => {
    calls.push(`${username}/${mech}`);
    return accounts[username]?.[mech];
  };
  return Object.assign(lookup, { calls });
}

async function failure(p: Promise<unknown>): Promise<SaslError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SaslError);
  return e as SaslError;
}

function challenge(r: SaslStepResult): string {
  if (r.kind !== 'challenge') throw new Error('expected a challenge');
  return r.data.toString('utf8');
}

/** A SCRAM client written from RFC 5802 §3, independent of the code under test. */
function client(mech: ScramMechanism, password: string, gs2 = 'n,,', bare = 'n=user,r=clientnonce') {
  return {
    first: B(gs2 + bare),
    final(serverFirst: string, edit: { c?: string; r?: string; ext?: string } = {}): { message: Buffer; serverSignature: string } {
      const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
      const salted = pbkdf2Sync(password, Buffer.from(attrs['s']!, 'base64'), Number(attrs['i']), LEN[mech], DIGEST[mech]);
      const clientKey = createHmac(DIGEST[mech], salted).update('Client Key').digest();
      const storedKey = createHash(DIGEST[mech]).update(clientKey).digest();
      const withoutProof = `c=${edit.c ?? Buffer.from(gs2).toString('base64')},r=${edit.r ?? attrs['r']}${edit.ext ?? ''}`;
      const authMessage = `${bare},${serverFirst},${withoutProof}`;
      const signature = createHmac(DIGEST[mech], storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
      const serverKey = createHmac(DIGEST[mech], salted).update('Server Key').digest();
      const serverSignature = createHmac(DIGEST[mech], serverKey).update(authMessage).digest().toString('base64');
      return { message: B(`${withoutProof},p=${proof.toString('base64')}`), serverSignature };
    },
  };
}

const cheap = (mech: ScramMechanism, password = 'pencil'): ScramCredential => deriveScramCredential(mech, password, { iterations: 64 });

describe('SCRAM: RFC examples', () => {
  it('RFC 5802 §5 SCRAM-SHA-1', async () => {
    const cred = deriveScramCredential('SCRAM-SHA-1', 'pencil', { salt: Buffer.from('QSXCR+Q6sek8bf92', 'base64'), iterations: 4096 });
    const s = createSaslSession('SCRAM-SHA-1', store({ user: { 'SCRAM-SHA-1': cred } }), { plainAllowed: false, randomNonce: () => '3rfcNHYJY1ZVvWVs7j' });
    expect(challenge(await s.step(B('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL')))).toBe(
      'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
    );
    expect(s.authcid).toBe('user');
    const done = await s.step(B('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts='));
    expect(done).toEqual({ kind: 'success', username: 'user', additionalData: B('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=') });
  });

  it('RFC 7677 §3 SCRAM-SHA-256', async () => {
    const cred = deriveScramCredential('SCRAM-SHA-256', 'pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 });
    const s = createSaslSession('SCRAM-SHA-256', store({ user: { 'SCRAM-SHA-256': cred } }), {
      plainAllowed: false,
      randomNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    });
    expect(challenge(await s.step(B('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')))).toBe(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    const done = await s.step(B('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='));
    expect(done).toEqual({ kind: 'success', username: 'user', additionalData: B('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=') });
  });
});

describe.each(['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const)('%s exchange', (mech) => {
  const lookup = store({ user: { [mech]: cheap(mech) }, 'us,er=': { [mech]: cheap(mech) } });
  const session = (): SaslSession => createSaslSession(mech, lookup, { plainAllowed: false });

  it('succeeds with a random server nonce and returns the server signature', async () => {
    const s = session();
    const c = client(mech, 'pencil');
    const serverFirst = challenge(await s.step(c.first));
    expect(serverFirst).toMatch(/^r=clientnonce[A-Za-z0-9+/]{32},s=[A-Za-z0-9+/]{22}==,i=64$/);
    const { message, serverSignature } = c.final(serverFirst);
    expect(await s.step(message)).toEqual({ kind: 'success', username: 'user', additionalData: B(`v=${serverSignature}`) });
  });

  it('answers an empty initial response with one empty challenge', async () => {
    const s = session();
    const c = client(mech, 'pencil');
    expect(await s.step(Buffer.alloc(0))).toEqual({ kind: 'challenge', data: Buffer.alloc(0) });
    const serverFirst = challenge(await s.step(c.first));
    expect((await s.step(c.final(serverFirst).message)).kind).toBe('success');
    const s2 = session();
    await s2.step(Buffer.alloc(0));
    expect((await failure(s2.step(Buffer.alloc(0)))).condition).toBe('malformed-request');
  });

  it('accepts "y,,", an authzid, escaped names and unknown extensions', async () => {
    const s = session();
    const c = client(mech, 'pencil', 'y,a=us=2Cer=3D@example.com,', 'n=us=2Cer=3D,r=clientnonce,x=ignored');
    const serverFirst = challenge(await s.step(c.first));
    const result = await s.step(c.final(serverFirst, { ext: ',y=also-ignored' }).message);
    expect(result).toMatchObject({ kind: 'success', username: 'us,er=', authzid: 'us,er=@example.com' });
  });

  it('fails a wrong password with not-authorized', async () => {
    const s = session();
    const c = client(mech, 'pencil!');
    const serverFirst = challenge(await s.step(c.first));
    expect((await failure(s.step(c.final(serverFirst).message))).condition).toBe('not-authorized');
  });

  it('gives an unknown user a server-first of the same shape, stable per name, then not-authorized', async () => {
    const secret = Buffer.alloc(32, 7);
    const lookup2 = store({ user: { [mech]: deriveScramCredential(mech, 'pencil') } });
    const firstOf = async (name: string): Promise<string> => {
      const s = createSaslSession(mech, lookup2, { plainAllowed: false, fakeSaltSecret: secret });
      return challenge(await s.step(B(`n,,n=${name},r=abc`)));
    };
    const shape = new RegExp(`^r=abc[A-Za-z0-9+/]{32},s=[A-Za-z0-9+/]{22}==,i=${4096}$`);
    const known = await firstOf('user');
    const unknown = await firstOf('nobody');
    expect(known).toMatch(shape);
    expect(unknown).toMatch(shape);
    const saltOf = (m: string): string => m.split(',')[1]!;
    expect(saltOf(await firstOf('nobody'))).toBe(saltOf(unknown)); // stable, like a real salt
    expect(saltOf(await firstOf('NoBody'))).toBe(saltOf(unknown)); // case variants of one account
    expect(saltOf(await firstOf('someone'))).not.toBe(saltOf(unknown));

    const s = createSaslSession(mech, lookup2, { plainAllowed: false, fakeSaltSecret: secret });
    const c = client(mech, 'pencil', 'n,,', 'n=nobody,r=abc');
    const serverFirst = challenge(await s.step(c.first));
    expect((await failure(s.step(c.final(serverFirst).message))).condition).toBe('not-authorized');
  });

  it.each([
    ['a tampered nonce', { r: 'clientnonce-tampered' }],
    ['a channel binding that differs from the GS2 header', { c: Buffer.from('y,,').toString('base64') }],
    ['an empty channel binding', { c: '' }],
  ])('fails %s with not-authorized', async (_, edit) => {
    const s = session();
    const c = client(mech, 'pencil');
    const serverFirst = challenge(await s.step(c.first));
    expect((await failure(s.step(c.final(serverFirst, edit).message))).condition).toBe('not-authorized');
  });

  it('fails a proof of the wrong length with not-authorized', async () => {
    const s = session();
    const c = client(mech, 'pencil');
    const serverFirst = challenge(await s.step(c.first));
    const cut = c.final(serverFirst).message.toString().replace(/p=.*$/, 'p=AAAA');
    expect((await failure(s.step(B(cut)))).condition).toBe('not-authorized');
  });

  it('refuses any step after success or failure', async () => {
    const s = session();
    const c = client(mech, 'pencil');
    const serverFirst = challenge(await s.step(c.first));
    const { message } = c.final(serverFirst);
    await s.step(message);
    expect((await failure(s.step(message))).condition).toBe('malformed-request');

    const s2 = session();
    expect((await failure(s2.step(B('bogus')))).condition).toBe('malformed-request');
    expect((await failure(s2.step(c.first))).condition).toBe('malformed-request');
  });

  it('refuses a step sent before the previous one finished', async () => {
    const s = session();
    const c = client(mech, 'pencil');
    const pending = s.step(c.first);
    expect((await failure(s.step(c.first))).condition).toBe('malformed-request');
    expect((await failure(pending)).condition).toBe('malformed-request');
  });
});

describe('SCRAM malformed messages', () => {
  const lookup = store({ user: { 'SCRAM-SHA-256': cheap('SCRAM-SHA-256') } });
  const session = (): SaslSession => createSaslSession('SCRAM-SHA-256', lookup, { plainAllowed: false, randomNonce: () => 'SRV' });

  it.each([
    ['garbage', B('hello')],
    ['channel binding requested', B('p=tls-exporter,,n=user,r=abc')],
    ['unknown GS2 flag', B('x,,n=user,r=abc')],
    ['missing authzid separator', B('n,n=user,r=abc')],
    ['empty authzid value', B('n,a=,n=user,r=abc')],
    ['bad authzid escape', B('n,a=x=41,n=user,r=abc')],
    ['empty username', B('n,,n=,r=abc')],
    ['bad username escape', B('n,,n=us=2Xer,r=abc')],
    ['lower-case escape', B('n,,n=us=2cer,r=abc')],
    ['bare "=" in username', B('n,,n=us=er,r=abc')],
    ['missing nonce', B('n,,n=user')],
    ['empty nonce', B('n,,n=user,r=')],
    ['non-printable nonce', B('n,,n=user,r=ab\x7f')],
    ['attributes out of order', B('n,,r=abc,n=user')],
    ['mandatory extension first', B('n,,m=ext,n=user,r=abc')],
    ['mandatory extension later', B('n,,n=user,r=abc,m=ext')],
    ['trailing comma', B('n,,n=user,r=abc,')],
    ['malformed extension', B('n,,n=user,r=abc,xx=1')],
    ['repeated nonce', B('n,,n=user,r=abc,r=def')],
    ['NUL byte', B('n,,n=us\0er,r=abc')],
    ['invalid UTF-8', Buffer.concat([B('n,,n='), Buffer.from([0xc3, 0x28]), B(',r=abc')])],
    ['oversized', B(`n,,n=user,r=${'a'.repeat(9000)}`)],
  ])('client-first with %s -> malformed-request', async (_, message) => {
    const s = session();
    expect((await failure(s.step(message))).condition).toBe('malformed-request');
  });

  const N = 'abcSRV';
  it.each([
    ['only c=', 'c=biws'],
    ['no proof', `c=biws,r=${N}`],
    ['proof not last', `c=biws,r=${N},p=AAAA,x=1`],
    ['attributes out of order', `r=${N},c=biws,p=AAAA`],
    ['channel binding not base64', `c=bi!s,r=${N},p=AAAA`],
    ['proof not base64', `c=biws,r=${N},p=AAA`],
    ['non-canonical base64', `c=bh==,r=${N},p=AAAA`],
    ['mandatory extension', `c=biws,r=${N},m=x,p=AAAA`],
    ['duplicate proof', `c=biws,r=${N},p=AAAA,p=AAAA`],
    ['empty nonce', 'c=biws,r=,p=AAAA'],
  ])('client-final with %s -> malformed-request', async (_, final) => {
    const s = session();
    challenge(await s.step(B('n,,n=user,r=abc')));
    expect((await failure(s.step(B(final)))).condition).toBe('malformed-request');
  });

  it('accepts a well-formed extension in client-first', async () => {
    expect(challenge(await session().step(B('n,,n=user,r=abc,x=1')))).toMatch(/^r=abcSRV,/);
  });
});

describe('SCRAM and the credential store', () => {
  it('maps a store error to temporary-auth-failure and keeps the cause', async () => {
    const cause = new Error('cassandra down');
    const s = createSaslSession('SCRAM-SHA-1', () => Promise.reject(cause), { plainAllowed: false });
    const e = await failure(s.step(B('n,,n=user,r=abc')));
    expect(e.condition).toBe('temporary-auth-failure');
    expect(e.cause).toBe(cause);
  });

  it('passes a SaslError from the store through', async () => {
    const s = createSaslSession('SCRAM-SHA-1', () => Promise.reject(new SaslError('account-disabled')), { plainAllowed: false });
    expect((await failure(s.step(B('n,,n=user,r=abc')))).condition).toBe('account-disabled');
  });

  it('treats a stored credential of the wrong size as a server fault', async () => {
    const bad = { ...cheap('SCRAM-SHA-256'), storedKey: Buffer.alloc(20) };
    const s = createSaslSession('SCRAM-SHA-256', store({ user: { 'SCRAM-SHA-256': bad } }), { plainAllowed: false });
    expect((await failure(s.step(B('n,,n=user,r=abc')))).condition).toBe('temporary-auth-failure');
  });

  it('asks the store for the mechanism in use, with the name as sent', async () => {
    const lookup = store({});
    await createSaslSession('SCRAM-SHA-1', lookup, { plainAllowed: false }).step(B('n,,n=Us=2Cer,r=abc'));
    expect(lookup.calls).toEqual(['Us,er/SCRAM-SHA-1']);
  });
});
