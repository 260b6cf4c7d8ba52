import { headers } from '@nats-io/transport-node';
import { parsePubAck } from './js-publisher';

const reply = (json: string) => ({ data: new TextEncoder().encode(json), headers: undefined });

describe('parsePubAck', () => {
  it.each<[string, ReturnType<typeof reply> | { data: Uint8Array; headers: ReturnType<typeof headers> }, object | RegExp]>([
    ['a stored message', reply('{"stream":"S","seq":7}'), { stream: 'S', seq: 7, duplicate: false, domain: '' }],
    ['a duplicate within the window', reply('{"stream":"S","seq":7,"duplicate":true}'), { stream: 'S', seq: 7, duplicate: true, domain: '' }],
    ['a refusal names its reason', reply('{"error":{"code":400,"err_code":10060,"description":"expected stream does not match"}}'), /expected stream does not match \(400\/10060\)/],
    ['no stream listens (503 with no body)', { data: new Uint8Array(0), headers: headers(503, 'No Responders') }, /no JetStream stream takes this subject/],
    ['garbage', reply('not json'), /not JSON/],
    ['an ack without a sequence', reply('{"stream":"S"}'), /invalid PubAck/],
  ])('%s', (_name, msg, expected) => {
    const out = parsePubAck(msg, 'x.y');
    if (expected instanceof RegExp) {
      expect(out).toBeInstanceOf(Error);
      expect((out as Error).message).toMatch(expected);
    } else {
      expect(out).toEqual(expected);
    }
  });
});
