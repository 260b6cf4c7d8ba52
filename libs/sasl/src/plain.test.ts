import { createSaslSession, deriveAllCredentials, deriveScramCredential, SaslError, SUPPORTED_MECHANISMS, type ScramCredential, type ScramMechanism } from './index';

const plain = (...parts: string[]): Buffer => Buffer.from(parts.join('\0'), 'utf8');

async function failure(p: Promise<unknown>): Promise<SaslError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SaslError);
  return e as SaslError;
}

const all = deriveAllCredentials('pencil', 64);
const accounts: Record<string, Partial<Record<ScramMechanism, ScramCredential>>> = {
  user: all,
  legacy: { 'SCRAM-SHA-1': deriveScramCredential('SCRAM-SHA-1', 'pencil', { iterations: 64 }) },
  spaced: { 'SCRAM-SHA-256': deriveScramCredential('SCRAM-SHA-256', 'caf\u00e9 au lait', { iterations: 64 }) },
};
const calls: string[] = [];
const lookup = async (username: string, mech: ScramMechanism): Promise<ScramCredential | undefined> => {
  calls.push(`${username}/${mech}`);
  return accounts[username]?.[mech];
};
const session = () => createSaslSession('PLAIN', lookup, { plainAllowed: true });

beforeEach(() => calls.splice(0));

describe('PLAIN', () => {
  it('authenticates against the stored SCRAM-SHA-256 key', async () => {
    const s = session();
    expect(await s.step(plain('', 'user', 'pencil'))).toEqual({ kind: 'success', username: 'user' });
    expect(s.authcid).toBe('user');
    expect(s.mechanism).toBe('PLAIN');
  });

  it('falls back to SCRAM-SHA-1 when that is all the account has', async () => {
    expect(await session().step(plain('', 'legacy', 'pencil'))).toEqual({ kind: 'success', username: 'legacy' });
  });

  it('returns the authzid for the caller to check', async () => {
    expect(await session().step(plain('user@example.com', 'user', 'pencil'))).toEqual({ kind: 'success', username: 'user', authzid: 'user@example.com' });
  });

  it('prepares the password as the stored one was (non-ASCII space, NFC)', async () => {
    expect((await session().step(plain('', 'spaced', 'cafe\u0301\u00a0au lait'))).kind).toBe('success');
  });

  it('answers an empty initial response with one empty challenge', async () => {
    const s = session();
    expect(await s.step(Buffer.alloc(0))).toEqual({ kind: 'challenge', data: Buffer.alloc(0) });
    expect((await s.step(plain('', 'user', 'pencil'))).kind).toBe('success');
  });

  it.each([
    ['a wrong password', plain('', 'user', 'pencil!')],
    ['a wrong password (SHA-1 only account)', plain('', 'legacy', 'Pencil')],
    ['an unknown user', plain('', 'nobody', 'pencil')],
    ['a password OpaqueString rejects', plain('', 'user', 'pen\u0007cil')],
  ])('fails %s with not-authorized', async (_, message) => {
    expect((await failure(session().step(message))).condition).toBe('not-authorized');
  });

  it('looks up both mechanisms for known and unknown users alike', async () => {
    await session().step(plain('', 'user', 'pencil'));
    await failure(session().step(plain('', 'nobody', 'pencil')));
    expect(calls.sort()).toEqual(['nobody/SCRAM-SHA-1', 'nobody/SCRAM-SHA-256', 'user/SCRAM-SHA-1', 'user/SCRAM-SHA-256']);
  });

  it.each([
    ['no separator', Buffer.from('userpencil')],
    ['one separator', plain('user', 'pencil')],
    ['three separators', plain('', 'user', 'pencil', 'x')],
    ['empty authcid', plain('', '', 'pencil')],
    ['empty password', plain('', 'user', '')],
    ['invalid UTF-8', Buffer.concat([plain('', 'user', ''), Buffer.from([0xff])])],
    ['oversized', plain('', 'user', 'x'.repeat(9000))],
  ])('fails a message with %s with malformed-request', async (_, message) => {
    expect((await failure(session().step(message))).condition).toBe('malformed-request');
  });

  it('refuses a second message', async () => {
    const s = session();
    await s.step(plain('', 'user', 'pencil'));
    expect((await failure(s.step(plain('', 'user', 'pencil')))).condition).toBe('malformed-request');
  });
});

describe('createSaslSession', () => {
  it('refuses PLAIN when it is not allowed, with invalid-mechanism', () => {
    let err: unknown;
    try {
      createSaslSession('PLAIN', lookup, { plainAllowed: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SaslError);
    expect((err as SaslError).condition).toBe('invalid-mechanism');
    expect((err as SaslError).code).toBe('SASL_FAILURE');
  });

  it.each(['DIGEST-MD5', 'SCRAM-SHA-256-PLUS', 'scram-sha-1', 'EXTERNAL', '', 'toString'])('refuses %j with invalid-mechanism', (name) => {
    expect(() => createSaslSession(name, lookup, { plainAllowed: true })).toThrow(expect.objectContaining({ condition: 'invalid-mechanism' }));
  });

  it('creates every advertised mechanism, strongest first', () => {
    expect(SUPPORTED_MECHANISMS).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']);
    expect(Object.isFrozen(SUPPORTED_MECHANISMS)).toBe(true);
    for (const m of SUPPORTED_MECHANISMS) expect(createSaslSession(m, lookup, { plainAllowed: true }).mechanism).toBe(m);
  });
});
