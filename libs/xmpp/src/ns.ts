/**
 * Every XML namespace Concord speaks, in one registry. Code refers to NS.x, never to the
 * string, so that what the server supports can be read off this file.
 */
export const NS = {
  // RFC 6120 / 6121
  client: 'jabber:client',
  server: 'jabber:server',
  stream: 'http://etherx.jabber.org/streams',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  roster: 'jabber:iq:roster',
  // XEP-0237 roster versioning (stream feature)
  rosterVer: 'urn:xmpp:features:rosterver',
  xml: 'http://www.w3.org/XML/1998/namespace',
  // RFC 7395
  framing: 'urn:ietf:params:xml:ns:xmpp-framing',
  // XEPs
  discoInfo: 'http://jabber.org/protocol/disco#info',
  discoItems: 'http://jabber.org/protocol/disco#items',
  ping: 'urn:xmpp:ping',
  register: 'jabber:iq:register',
  registerFeature: 'http://jabber.org/features/iq-register',
  commands: 'http://jabber.org/protocol/commands',
  admin: 'http://jabber.org/protocol/admin',
  dataForms: 'jabber:x:data',
  sm: 'urn:xmpp:sm:3',
  csi: 'urn:xmpp:csi:0',
  sasl2: 'urn:xmpp:sasl:2',
  bind2: 'urn:xmpp:bind:0',
  imNg: 'urn:xmpp:im-ng:0',
  mam: 'urn:xmpp:mam:2',
  mamExtended: 'urn:xmpp:mam:2#extended',
  sid: 'urn:xmpp:sid:0',
  carbons: 'urn:xmpp:carbons:2',
  forward: 'urn:xmpp:forward:0',
  rsm: 'http://jabber.org/protocol/rsm',
  delay: 'urn:xmpp:delay',
  hints: 'urn:xmpp:hints',
  receipts: 'urn:xmpp:receipts',
  markers: 'urn:xmpp:chat-markers:0',
  chatStates: 'http://jabber.org/protocol/chatstates',
  push: 'urn:xmpp:push:0',
  // XEP-0357 §7: the notification's summary form, and the FORM_TYPE of its publish-options
  pushSummary: 'urn:xmpp:push:summary',
  pubsubPublishOptions: 'http://jabber.org/protocol/pubsub#publish-options',
  // XEP-0372 references (mentions)
  reference: 'urn:xmpp:reference:0',
  retract: 'urn:xmpp:message-retract:1',
  version: 'jabber:iq:version',
  // Concord's own extensions (protocol notes: docs/protocol.md)
  concord: 'urn:concord:mr2:0',
} as const;

export type Namespace = (typeof NS)[keyof typeof NS];
