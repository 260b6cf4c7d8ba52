import { APP_SERVER_ITEM, parseAppServers } from './app-servers';

describe('CONCORD_PUSH_APP_SERVERS', () => {
  it('maps app server JIDs to webhook URLs', () => {
    const m = parseAppServers(['Push.Example.com=https://push.example.com/v1/notify', 'p2.example.com=http://127.0.0.1:8080/x']);
    expect(m.get('push.example.com')?.href).toBe('https://push.example.com/v1/notify');
    expect(m.get('p2.example.com')?.port).toBe('8080');
  });

  it.each([
    [['a b=https://x/'], /not a JID/],
    [['p.example.com=https://x/', 'p.example.com=https://y/'], /twice/],
    [['p.example.com=https://[bad/'], /not a URL/],
  ])('refuses %j', (items, error) => {
    expect(() => parseAppServers(items)).toThrow(error);
  });

  it('takes only JID=http(s)://... items', () => {
    expect(APP_SERVER_ITEM.test('p.example.com=https://x/y')).toBe(true);
    expect(APP_SERVER_ITEM.test('p.example.com=ftp://x/y')).toBe(false);
    expect(APP_SERVER_ITEM.test('https://x/y')).toBe(false);
  });
});
