import type { HistoryEvent } from '@concord/events';

export interface IdIndexVerdict {
  /** 'read': look the ID up before writing (a second event with it is a duplicate); 'skip': write. */
  verdict: 'read' | 'skip';
  reason: string;
}

/**
 * Whether a message event must read the ID index before its row is written. An earlier event
 * with the same archive ID at another position (a re-send routed while its first copy was still
 * waiting to be applied) must win; the index read finds it. The read can be skipped when the
 * router proved there is none: when it found the ID unused, every event stored before
 * `appliedThroughMs` had been applied, so an earlier copy could only have been stored after
 * that — within the stream's duplicate window of this one if this one was stored less than
 * half a window later, and then JetStream would have refused this one (same message ID). The
 * other half of the window allows for the router's clock being ahead of the NATS server's
 * (which assumes clocks kept within a minute of each other, e.g. by NTP).
 */
export function idIndexRead(e: HistoryEvent, storedAtMs: number, duplicateWindowMs: number): IdIndexVerdict {
  const through = Number(e.appliedThroughMs);
  if (through <= 0) return { verdict: 'read', reason: 'no proof from the router' };
  if (duplicateWindowMs <= 0) return { verdict: 'read', reason: 'the stream keeps no duplicate window' };
  const age = storedAtMs - through;
  if (age >= duplicateWindowMs / 2) return { verdict: 'read', reason: 'stored more than half a duplicate window after the router\'s proof' };
  // Stored "before" the proof: the router's clock is ahead, by at least this much; by more
  // than a quarter window, the half window's allowance for clocks is not to be trusted.
  if (age < -duplicateWindowMs / 4) return { verdict: 'read', reason: 'the router\'s clock is ahead of the NATS server\'s' };
  return { verdict: 'skip', reason: 'the router found the ID unused with everything older applied' };
}
