/**
 * What the archive should hold for an event it has applied, against what it holds: the
 * verifier's verdicts. A hole is a write Cassandra acknowledged and lost (e.g. a crash with
 * periodic commit-log sync), found by reading the rows back; it is repaired by applying the
 * event again, which the projection allows (applying an event twice leaves the same state).
 */

export type HoleKind =
  /** A message event with neither its row nor its ID. */
  | 'missing'
  /** A message event whose ID is indexed at its position but whose row is gone. */
  | 'row-lost'
  /** A message event whose row is there but whose ID is not indexed. */
  | 'id-lost'
  /** A retraction whose target row is there, older than it, and not a tombstone. */
  | 'retraction-lost'
  /** A deletion that left rows below its position. */
  | 'deletion-lost';

/** 'ok', or the kind of hole; with why. */
export interface Verdict<K extends HoleKind> {
  verdict: 'ok' | K;
  reason: string;
}

/** What the archive holds of a message event at `position` (its ID's index entry, its row). */
export interface MessageState {
  position: number;
  /** The position the ID index gives the archive ID; undefined when it has none. */
  indexedAt: number | undefined;
  /** A row exists at the position. */
  rowStored: boolean;
}

export function messageHole(s: MessageState): Verdict<'missing' | 'row-lost' | 'id-lost'> {
  if (s.indexedAt !== undefined && s.indexedAt !== s.position) return { verdict: 'ok', reason: 'a duplicate: its ID belongs to an earlier event' };
  if (s.indexedAt === undefined && !s.rowStored) return { verdict: 'missing', reason: 'no row and no ID' };
  if (!s.rowStored) return { verdict: 'row-lost', reason: 'the ID is indexed but the row is gone' };
  if (s.indexedAt === undefined) return { verdict: 'id-lost', reason: 'the row is there but its ID is not indexed' };
  return { verdict: 'ok', reason: 'row and ID are there' };
}

/** A retraction at `position`, and its target row as stored (undefined: none). */
export function retractionHole(position: number, target: { position: number; retracted: boolean } | undefined): Verdict<'retraction-lost'> {
  // A target missing is the target message's own hole (repaired, then this retraction again).
  if (!target) return { verdict: 'ok', reason: 'no target row' };
  if (target.position > position) return { verdict: 'ok', reason: 'the target ID belongs to a later row' };
  if (target.retracted) return { verdict: 'ok', reason: 'the target is a tombstone' };
  return { verdict: 'retraction-lost', reason: 'the target row is not a tombstone' };
}

/** A deletion at `position`, and the first row of the account below it (undefined: none). */
export function deletionHole(position: number, firstRowBelow: number | undefined): Verdict<'deletion-lost'> {
  if (firstRowBelow === undefined || firstRowBelow >= position) return { verdict: 'ok', reason: 'no row below the deletion' };
  return { verdict: 'deletion-lost', reason: 'rows below the deletion are still there' };
}

/**
 * Whether a message's missing row is restored: not when a later deletion of its account (seen
 * in the stream) removed it. Restoring it would resurrect a deleted message.
 */
export function restoreMessage(position: number, deletionsOfAccount: number[]): { verdict: 'restore' | 'deleted'; reason: string } {
  const deletedBy = deletionsOfAccount.find((d) => d > position);
  if (deletedBy !== undefined) return { verdict: 'deleted', reason: `removed by the deletion at position ${deletedBy}` };
  return { verdict: 'restore', reason: 'no later deletion of the account' };
}
