/**
 * Archiving preferences (`<prefs/>` in urn:xmpp:mam:2: XEP-0313 §6, split out as XEP-0441 with no
 * protocol change). Concord archives every persistent message for both parties (docs/design.md
 * §3.1: history is the product), so the preferences in force are default='always'. A get answers
 * them; a set is answered with the preferences applied, which XEP-0441 §2.1 lets differ from the
 * ones asked for: always these (the JIDs asked for under <always/> echoed, as they are archived).
 */
import { el, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { LocalHandler } from './handler';

/** The JIDs a <prefs/> lists under <always/>. */
function alwaysListed(prefs: Element): string[] {
  return (prefs.getChild('always', NS.mam)?.getChildren('jid', NS.mam) ?? []).map((j) => j.text());
}

/** The preferences in force, with the JIDs a client named under <always/> (they are archived like all others). */
function inForce(always: string[]): Element {
  return el('prefs', { xmlns: NS.mam, default: 'always' },
    el('always', {}, ...always.map((j) => el('jid', {}, j))),
    el('never', {}));
}

/** The answer to a prefs get or set (pure: the preferences are the design's, not stored). */
export function answerPrefs(iq: Element): Element {
  const prefs = iq.getChild('prefs', NS.mam)!;
  return el('iq', { type: 'result', id: iq.attrs['id'] }, inForce(iq.attrs['type'] === 'set' ? alwaysListed(prefs) : []));
}

export function mamPrefsHandler(): LocalHandler {
  return {
    name: 'mam-prefs',
    claims: (e, s) => {
      const to = e.attrs['to'];
      const type = e.attrs['type'];
      return e.name === 'iq' && !!e.attrs['id'] && (type === 'get' || type === 'set') && (to === undefined || to === s.jid.bare().toString())
        && e.getChild('prefs', NS.mam) !== undefined;
    },
    async handle(e, s) {
      s.deliver(answerPrefs(e));
    },
  };
}
