import { el } from '@concord/xml';
import { StreamManagement } from './stream-management';

function setup(ackHoldMaxMs = 10_000) {
  const acks: number[] = [];
  let requests = 0;
  const sm = new StreamManagement('id', true, { ackHoldMaxMs, maxQueue: 3, maxQueueBytes: 1_000, requestEvery: 2 }, {
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

  it('sends progress unasked while an <r/> is held, at most every 500 ms, never the same h twice', () => {
    jest.useFakeTimers();
    try {
      const { sm, acks } = setup();
      const burst = [sm.inbound(), sm.inbound(), sm.inbound(), sm.inbound()];
      sm.request();
      sm.finalize(burst[0]!);
      sm.finalize(burst[1]!);
      expect(acks).toEqual([]);
      jest.advanceTimersByTime(500);
      expect(acks).toEqual([2]);
      jest.advanceTimersByTime(2_000);
      expect(acks).toEqual([2]);
      sm.finalize(burst[2]!);
      sm.finalize(burst[3]!);
      expect(acks).toEqual([2, 4]);
      jest.advanceTimersByTime(2_000);
      expect(acks).toEqual([2, 4]);
      // Nothing held: outcomes alone send nothing.
      sm.finalize(sm.inbound());
      jest.advanceTimersByTime(2_000);
      expect(acks).toEqual([2, 4]);
      sm.dispose();
    } finally {
      jest.useRealTimers();
    }
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

  it('reports overflow in bytes too, and frees the bytes of what the client acked', () => {
    const { sm } = setup();
    expect(sm.outbound(el('message', { id: '1' }), undefined, 600)).toBe(true);
    expect(sm.outbound(el('message', { id: '2' }), undefined, 400)).toBe(true);
    expect(sm.outbound(el('message', { id: '3' }), undefined, 1)).toBe(false);
    expect(sm.ack(2)).toBe(true);
    expect(sm.outbound(el('message', { id: '4' }), undefined, 998)).toBe(true);
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

describe('StreamManagement records', () => {
  it('ignores an outcome for a stanza of the connection before a rebind (h never runs ahead)', () => {
    const { sm } = setup();
    sm.inbound();
    const old = { n: sm.inbound(), epoch: sm.epoch };
    sm.finalize(1);
    sm.rebind({ sendAck: () => undefined, requestAck: () => undefined });
    // The new connection's first stanza gets the number the old pending one had.
    const fresh = { n: sm.inbound(), epoch: sm.epoch };
    expect(fresh.n).toBe(old.n);
    sm.finalize(old.n, old.epoch);
    expect(sm.inboundHandled).toBe(1);
    sm.finalize(fresh.n, fresh.epoch);
    expect(sm.inboundHandled).toBe(2);
  });

  it('snapshots references and XML, and restores a stream numbered from what the client acked', () => {
    const { sm } = setup();
    sm.outbound(el('message', { id: '1' }), { archiveId: 'A1', form: 1 });
    sm.outbound(el('iq', { id: '2' }));
    sm.ack(1);
    const snap = sm.snapshot();
    expect(snap).toMatchObject({ outboundSent: 2, outboundAcked: 1, recentArchiveIds: ['A1'] });
    expect(snap.queued).toEqual([{ xml: `<iq id='2'/>`, archiveId: '', form: 0 }]);
    const restored = StreamManagement.restore('id', { inboundHandled: 4, acked: 1, resend: [{ el: el('iq', { id: '2' }), ref: undefined }], recentArchiveIds: ['A1'] },
      { ackHoldMaxMs: 10, maxQueue: 3, maxQueueBytes: 1_000, requestEvery: 2 }, { sendAck: () => undefined, requestAck: () => undefined });
    expect(restored.inboundHandled).toBe(4);
    expect(restored.snapshot()).toMatchObject({ outboundSent: 2, outboundAcked: 1, recentArchiveIds: ['A1'] });
    expect(restored.resendAfter(1)!.map((e) => e.attrs['id'])).toEqual(['2']);
  });
});
