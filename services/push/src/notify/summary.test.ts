import { bodyAllowed, buildSummary, MAX_BODY_CHARS, summaryFields } from './summary';

describe('notification summary (XEP-0357 §7)', () => {
  const base = { messageCount: 3, sender: 'alice@example.com/phone', body: 'hi bob' };

  it('leaves the body out unless the publish-options ask for it', () => {
    expect(buildSummary({ ...base, publishOptions: {} })).toEqual({ messageCount: 3, lastMessageSender: 'alice@example.com/phone' });
    expect(buildSummary({ ...base, publishOptions: { secret: ['s3'] } }).lastMessageBody).toBeUndefined();
    expect(buildSummary({ ...base, publishOptions: { 'include-body': ['false'] } }).lastMessageBody).toBeUndefined();
  });

  it.each([['true'], ['1'], [' TRUE ']])('includes the body with include-body=%j', (v) => {
    expect(buildSummary({ ...base, publishOptions: { 'include-body': [v] } }).lastMessageBody).toBe('hi bob');
    expect(bodyAllowed({ 'include-body': [v] })).toBe(true);
  });

  it('has no body field for a message without a body', () => {
    expect(buildSummary({ ...base, body: '', publishOptions: { 'include-body': ['1'] } }).lastMessageBody).toBeUndefined();
  });

  it('cuts long bodies at a code point boundary', () => {
    const body = '😀'.repeat(MAX_BODY_CHARS + 5);
    const s = buildSummary({ ...base, body, publishOptions: { 'include-body': ['1'] } });
    expect(Array.from(s.lastMessageBody!)).toHaveLength(MAX_BODY_CHARS);
    expect(s.lastMessageBody!.endsWith('😀')).toBe(true);
  });

  it('names the fields as the XEP-0357 summary form does', () => {
    expect(summaryFields({ messageCount: 2, lastMessageSender: 'a@x/y', lastMessageBody: 'b' }))
      .toEqual({ 'message-count': 2, 'last-message-sender': 'a@x/y', 'last-message-body': 'b' });
    expect(summaryFields({ messageCount: 1, lastMessageSender: 'a@x/y' })).not.toHaveProperty('last-message-body');
  });
});
