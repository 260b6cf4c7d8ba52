import { el } from '@concord/xml';
import { StreamManagement } from './stream-management';

function setup(ackHoldMaxMs = 10_000) {
  const acks: number[] = [];
  let requests = 0;
  const sm = new StreamManagement('id', true, { ackHoldMaxMs, maxQueue: 3, requestEvery: 2 }, {
    sendAck: (h) => acks.push(h),
    requestAck: () => requests++,
  });
  return { sm, acks, requests: () => requests };
}

describe('StreamManagement inbound', () => {
  it('advances h strictly in order as outcomes become final', () => {
    const { sm } = setup();
    const [a, b, c] = [sm.inbound(), sm.inbound(), sm.inbound()];
    sm.finalize(c);
    expect(sm.inboundHandled).toBe(0);
    sm.finalize(a);
    expect(sm.inboundHandled).toBe(1);
    sm.finalize(b);
    expect(sm.inboundHandled).toBe(3);
  });

  it('answers <r/> at once when nothing is pending, else when what came before it is final', () => {
    const { sm, acks } = setup();
    sm.request();
    expect(acks).toEqual([0]);
    const a = sm.inbound();
    sm.request();
    const b = sm.inbound();
    expect(acks).toEqual([0]);
    sm.finalize(a);
    expect(acks).toEqual([0, 1]);
    sm.finalize(b);
    expect(acks).toEqual([0, 1]);
    sm.dispose();
  });

  it('answers a held <r/> with what is final when the hold times out', async () => {
    const { sm, acks } = setup(20);
    sm.inbound();
    sm.request();
    await new Promise((r) => setTimeout(r, 60));
    expect(acks).toEqual([0]);
  });
});

describe('StreamManagement outbound', () => {
  it('keeps unacknowledged stanzas, asks for acks, and reports overflow', () => {
    const { sm, requests } = setup();
    expect(sm.outbound(el('message', { id: '1' }))).toBe(true);
    expect(sm.outbound(el('message', { id: '2' }))).toBe(true);
    expect(requests()).toBe(1);
    expect(sm.ack(1)).toBe(true);
    expect(sm.outboundQueue.map((q) => q.el.attrs['id'])).toEqual(['2']);
    expect(sm.resendAfter(1)!.map((e) => e.attrs['id'])).toEqual(['2']);
    sm.outbound(el('message', { id: '3' }));
    sm.outbound(el('message', { id: '4' }));
    expect(sm.outbound(el('message', { id: '5' }))).toBe(false);
  });

  it.each([[-1], [3], [1.5], [2 ** 32]])('rejects impossible h=%s', (h) => {
    const { sm } = setup();
    sm.outbound(el('message'));
    sm.outbound(el('message'));
    expect(sm.ack(h)).toBe(false);
  });
});

describe('StreamManagement resumption', () => {
  it('forgets inbound stanzas still pending when the stream moves to a new connection', () => {
    const { sm } = setup();
    const a = sm.inbound();
    sm.inbound();
    sm.finalize(a);
    const acks: number[] = [];
    sm.rebind({ sendAck: (h) => acks.push(h), requestAck: () => undefined });
    // The pending stanza's outcome would go to the old connection; the client re-sends it.
    sm.request();
    expect(acks).toEqual([1]);
  });
});
