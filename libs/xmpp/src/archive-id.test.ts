import { createHash } from 'node:crypto';
import { base32, predictedArchiveId } from './archive-id';

describe('base32 (RFC 4648 §10 test vectors, lowercase, unpadded)', () => {
  it.each([
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw6'],
    ['foob', 'mzxw6yq'],
    ['fooba', 'mzxw6ytb'],
    ['foobar', 'mzxw6ytboi'],
  ])('%j -> %s', (text, expected) => expect(base32(Buffer.from(text))).toBe(expected));
});

describe('predictedArchiveId', () => {
  it('is the documented formula', () => {
    const digest = createHash('sha256').update('alice@example.com\nd4565fa7-4d72-4749-b3d3-740edbf87770\nmsg-1').digest();
    expect(predictedArchiveId('alice@example.com', 'd4565fa7-4d72-4749-b3d3-740edbf87770', 'msg-1')).toBe(base32(digest).slice(0, 26));
  });

  it('matches the example in the protocol notes', () => {
    expect(predictedArchiveId('alice@example.com', 'd4565fa7-4d72-4749-b3d3-740edbf87770', 'msg-1')).toBe('mkuxowqn54gwydhh5ytpgsahmy');
  });

  it('is 26 lowercase base32 characters and differs per input', () => {
    const a = predictedArchiveId('alice@example.com', 'phone', 'm1');
    expect(a).toMatch(/^[a-z2-7]{26}$/);
    expect(predictedArchiveId('alice@example.com', 'phone', 'm2')).not.toBe(a);
    expect(predictedArchiveId('alice@example.com', 'laptop', 'm1')).not.toBe(a);
    expect(predictedArchiveId('bob@example.com', 'phone', 'm1')).not.toBe(a);
  });
});
