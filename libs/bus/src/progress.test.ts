import { handledThrough } from './progress';

const info = (pending: number, ackPending: number, delivered: number, floor: number) => ({
  num_pending: pending, num_ack_pending: ackPending, delivered: { stream_seq: delivered, consumer_seq: delivered }, ack_floor: { stream_seq: floor, consumer_seq: floor },
});

describe('handledThrough', () => {
  it.each([
    ['idle, floor at the last delivery', info(0, 0, 10, 10), 10],
    ['idle, floor behind the last delivery (skipped sequences)', info(0, 0, 12, 10), 12],
    ['messages not yet delivered', info(5, 0, 10, 10), 10],
    ['deliveries not yet acknowledged', info(0, 3, 12, 9), 9],
    ['both', info(4, 2, 12, 9), 9],
    ['nothing ever delivered', info(0, 0, 0, 0), 0],
  ])('%s', (_what, c, expected) => {
    expect(handledThrough(c)).toBe(expected);
  });
});
