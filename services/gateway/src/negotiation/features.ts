import { el, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { AuthExchange } from './auth';

export interface FeatureState {
  secure: boolean;
  canStartTls: boolean;
  tlsRequired: boolean;
  plainAllowed: boolean;
  authenticated: boolean;
  registration: boolean;
}

/** Features that Bind2 (XEP-0386) can enable inline; the same list is advertised and accepted. */
export const BIND2_INLINE = [NS.sm, NS.csi, NS.imNg, NS.concord] as const;

/** <stream:features> for the stream's current state (RFC 6120 §4.3.2). */
export function streamFeatures(s: FeatureState): Element {
  const features = el('features', { xmlns: NS.stream });
  if (!s.authenticated) {
    if (s.canStartTls && !s.secure) {
      features.append(el('starttls', { xmlns: NS.tls }, s.tlsRequired ? el('required') : undefined));
      // Until TLS is up, nothing else is offered when TLS is required.
      if (s.tlsRequired) return features;
    }
    const mechanisms = AuthExchange.mechanisms(s.plainAllowed);
    features.append(el('mechanisms', { xmlns: NS.sasl }, ...mechanisms.map((m) => el('mechanism', {}, m))));
    features.append(el('authentication', { xmlns: NS.sasl2 },
      ...mechanisms.map((m) => el('mechanism', {}, m)),
      el('inline', {},
        el('bind', { xmlns: NS.bind2 }, el('inline', {}, ...BIND2_INLINE.map((v) => el('feature', { var: v })))),
        el('sm', { xmlns: NS.sm }))));
    if (s.registration) features.append(el('register', { xmlns: NS.registerFeature }));
    // XEP-0237, also here for SASL2 clients, which see no features after authenticating.
    features.append(el('ver', { xmlns: NS.rosterVer }));
    return features;
  }
  features.append(
    el('bind', { xmlns: NS.bind }),
    el('session', { xmlns: NS.session }, el('optional')),
    el('sm', { xmlns: NS.sm }),
    el('csi', { xmlns: NS.csi }),
    el('ver', { xmlns: NS.rosterVer }),
  );
  return features;
}
