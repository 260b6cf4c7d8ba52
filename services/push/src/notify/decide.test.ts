import type { NotifyLevel } from '@concord/storage';
import { decidePush, type PushFacts } from './decide';

const chat: PushFacts = { urgent: true, groupchat: false, mentionsAccount: false, urgencyHint: '' };
const room: PushFacts = { urgent: false, groupchat: true, mentionsAccount: false, urgencyHint: '' };

describe('push decision: urgency subject to the account preferences (DESIGN §3.2, §7)', () => {
  it.each<{ name: string; facts: PushFacts; level: NotifyLevel | undefined; push: boolean }>([
    { name: 'urgent chat, no preference', facts: chat, level: undefined, push: true },
    { name: 'urgent chat, level all', facts: chat, level: 'all', push: true },
    { name: 'urgent chat, muted', facts: chat, level: 'none', push: false },
    { name: 'urgent chat, mentions only, no mention', facts: chat, level: 'mentions', push: false },
    { name: 'urgent chat, mentions only, a mention', facts: { ...chat, mentionsAccount: true }, level: 'mentions', push: true },
    { name: 'chat the rule set found not urgent', facts: { ...chat, urgent: false }, level: undefined, push: false },
    { name: 'chat not urgent, level all cannot raise it', facts: { ...chat, urgent: false }, level: 'all', push: false },
    { name: 'high hint on a muted conversation', facts: { ...chat, urgencyHint: 'high' }, level: 'none', push: false },
    { name: 'high hint, mentions only, no mention', facts: { ...chat, urgencyHint: 'high' }, level: 'mentions', push: false },
    { name: 'low hint, level all', facts: { ...chat, urgencyHint: 'low' }, level: 'all', push: false },
    { name: 'low hint on a mention', facts: { ...chat, urgencyHint: 'low', mentionsAccount: true }, level: 'mentions', push: false },
    { name: 'groupchat without mention, no preference', facts: room, level: undefined, push: false },
    { name: 'groupchat mentioning the account, no preference', facts: { ...room, mentionsAccount: true }, level: undefined, push: true },
    { name: 'groupchat raised by the high hint, no preference', facts: { ...room, urgencyHint: 'high' }, level: undefined, push: true },
    { name: 'groupchat, level all', facts: room, level: 'all', push: true },
    { name: 'groupchat mention, muted', facts: { ...room, mentionsAccount: true }, level: 'none', push: false },
    { name: 'groupchat, mentions only, a mention', facts: { ...room, mentionsAccount: true }, level: 'mentions', push: true },
  ])('$name → $push', ({ facts, level, push }) => {
    const d = decidePush(facts, level);
    expect(d.push).toBe(push);
    expect(d.reason).not.toBe('');
  });
});
