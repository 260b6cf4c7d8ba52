import { deletionHole, messageHole, restoreMessage, retractionHole } from './holes';

describe('what a message event left in the archive', () => {
  it.each([
    ['row and ID at its position', 7, 7, true, 'ok'],
    ['its ID is an earlier event\'s (a duplicate, never written)', 7, 3, false, 'ok'],
    ['a duplicate whose ID points elsewhere, even with a row', 7, 3, true, 'ok'],
    ['neither row nor ID', 7, undefined, false, 'missing'],
    ['the ID but no row', 7, 7, false, 'row-lost'],
    ['the row but no ID', 7, undefined, true, 'id-lost'],
  ] as const)('%s', (_what, position, indexedAt, rowStored, verdict) => {
    expect(messageHole({ position, indexedAt, rowStored }).verdict).toBe(verdict);
  });
});

describe('what a retraction left in the archive', () => {
  it.each([
    ['no target row (unknown, deleted, or its own hole)', undefined, 'ok'],
    ['the target is a tombstone', { position: 5, retracted: true }, 'ok'],
    ['the target ID belongs to a later row', { position: 12, retracted: false }, 'ok'],
    ['the target is still the message', { position: 5, retracted: false }, 'retraction-lost'],
  ] as const)('%s', (_what, target, verdict) => {
    expect(retractionHole(10, target).verdict).toBe(verdict);
  });
});

describe('what a deletion left in the archive', () => {
  it.each([
    ['no row at all', undefined, 'ok'],
    ['only rows from the deletion on', 10, 'ok'],
    ['a row below it', 4, 'deletion-lost'],
  ] as const)('%s', (_what, below, verdict) => {
    expect(deletionHole(10, below).verdict).toBe(verdict);
  });
});

describe('whether a missing message is restored', () => {
  it.each([
    ['no deletion of the account', [], 'restore'],
    ['only deletions before it', [2, 5], 'restore'],
    ['a deletion after it: restoring would resurrect it', [2, 9], 'deleted'],
  ] as const)('%s', (_what, deletions, verdict) => {
    expect(restoreMessage(7, [...deletions]).verdict).toBe(verdict);
  });
});
