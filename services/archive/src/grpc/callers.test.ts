import { CALLER_ITEM, CallerRegistry, parseCallers } from './callers';

describe('archive API callers', () => {
  it('reads token and certificate callers with their methods', () => {
    const callers = parseCallers(['support:Query+Sync:abcdefghijklmnop0123', 'billing:*']);
    expect(callers.map((c) => [c.name, [...c.methods].sort(), c.tokenHash !== undefined])).toEqual([
      ['support', ['Query', 'Sync'], true],
      ['billing', ['DeleteAccountArchive', 'GetMessages', 'ListConversations', 'Query', 'RetractMessage', 'Sync'], false],
    ]);
    const registry = new CallerRegistry(callers);
    expect(registry.byToken('abcdefghijklmnop0123')?.name).toBe('support');
    expect(registry.byToken('abcdefghijklmnop0124')).toBeUndefined();
    expect(registry.byCertificateName('billing')?.name).toBe('billing');
    // A token caller does not authenticate by certificate name.
    expect(registry.byCertificateName('support')).toBeUndefined();
  });

  it.each([
    ['support:Query:short', 'must be NAME:METHODS[:TOKEN]'],
    ['support:Qeury:abcdefghijklmnop0123', 'unknown method(s) Qeury'],
    ['support', 'must be NAME:METHODS[:TOKEN]'],
  ])('refuses %s', (item, problem) => {
    expect(() => parseCallers([item])).toThrow(problem);
  });

  it('refuses a name given twice', () => {
    expect(() => parseCallers(['a:Query', 'a:Sync'])).toThrow('declared twice');
  });

  it('keeps tokens free of the list separators', () => {
    expect(CALLER_ITEM.test('a:Query:abc,defghijklmnopqrst')).toBe(false);
    expect(CALLER_ITEM.test('a:Query:abc/def+ghi=jklmnopqrs')).toBe(true);
  });
});
