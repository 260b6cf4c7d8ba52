import { concord } from '@concord/proto';
import { deviceConnected, deviceOf } from './devices';

const session = (fullJid: string, clientId: string, detached = false) => concord.events.v1.SessionRecord.fromPartial({ fullJid, clientId, detached });

describe('devices of an account', () => {
  it('names a device by its client identity, else by its resource', () => {
    expect(deviceOf('ua-1', 'bob@example.com/phone.abc')).toBe('ua-1');
    expect(deviceOf('', 'bob@example.com/desktop')).toBe('desktop');
  });

  it('counts a device as connected only with a session that is not detached', () => {
    const sessions = [session('bob@example.com/phone', 'ua-1', true), session('bob@example.com/desktop', 'desktop')];
    expect(deviceConnected(sessions, 'ua-1')).toBe(false);
    expect(deviceConnected(sessions, 'desktop')).toBe(true);
    expect(deviceConnected(sessions, 'ua-2')).toBe(false);
    expect(deviceConnected([...sessions, session('bob@example.com/phone2', 'ua-1')], 'ua-1')).toBe(true);
  });
});
