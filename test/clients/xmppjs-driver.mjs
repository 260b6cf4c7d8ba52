// A real @xmpp/client instance driven by a test over stdin/stdout, one JSON object per line.
// Commands: {id, op: 'start'|'send'|'iq'|'stop'|'disconnect'|'sm'|'moveTo', ...}; replies: {id, ok, ...};
// events: {event: 'element'|'ack'|'status'|'error', ...}. One process per actor, so every
// actor uses the library exactly as an application would.
import { createInterface } from 'node:readline';
import { client, xml } from '@xmpp/client';
import parse from '@xmpp/xml/lib/parse.js';
import { WebSocket } from 'ws';

// @xmpp/websocket uses the global WebSocket, which Node.js 20 does not have yet.
globalThis.WebSocket ??= WebSocket;

let xmpp;
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const ops = {
  async start({ service, domain, username, password, resource, userAgentId, smEnabled = true, reconnect = false, imNg = false }) {
    const userAgent = userAgentId ? xml('user-agent', { id: userAgentId }, xml('software', {}, 'concord-test')) : undefined;
    xmpp = client({ service, domain, username, password, resource, ...(userAgent ? { userAgent } : {}) });
    if (!reconnect) xmpp.reconnect.stop();
    else xmpp.reconnect.delay = 100;
    xmpp.streamManagement.on('resumed', () => out({ event: 'resumed' }));
    if (!smEnabled) xmpp.streamManagement.enabled = false;
    // A 2.0 session: IM-NG (XEP-0409) enabled inline in Bind2.
    if (imNg) xmpp.bind2.use('urn:xmpp:im-ng:0', () => xml('enable', { xmlns: 'urn:xmpp:im-ng:0' }));
    xmpp.on('element', (el) => out({ event: 'element', xml: el.toString() }));
    xmpp.on('status', (status) => out({ event: 'status', status }));
    xmpp.on('error', (err) => out({ event: 'error', message: String(err?.message ?? err), condition: err?.condition }));
    xmpp.streamManagement.on('ack', (stanza) => out({ event: 'ack', xml: stanza.toString() }));
    xmpp.streamManagement.on('fail', (stanza) => out({ event: 'fail', xml: stanza.toString() }));
    const address = await xmpp.start();
    return { jid: address.toString(), sm: { enabled: xmpp.streamManagement.enabled, id: xmpp.streamManagement.id } };
  },
  async send({ xml: text }) {
    await xmpp.send(parse(text));
    return {};
  },
  async iq({ xml: text, timeout = 5000 }) {
    const reply = await xmpp.iqCaller.request(parse(text), timeout);
    return { xml: reply.toString() };
  },
  async stop() {
    await xmpp.stop();
    return {};
  },
  /** The client's own XEP-0198 accounting. */
  async sm() {
    const sm = xmpp.streamManagement;
    return { smId: sm.id, inbound: sm.inbound, outbound: sm.outbound, queued: sm.outbound_q.length };
  },
  /** Where the next reconnection goes (another gateway of the cluster). */
  async moveTo({ service }) {
    xmpp.options.service = service;
    return {};
  },
  /** Drops the socket without closing the stream (as a phone losing its network). */
  async disconnect() {
    xmpp.socket?.socket?.destroy();
    return { smId: xmpp.streamManagement.id, inbound: xmpp.streamManagement.inbound };
  },
};

createInterface({ input: process.stdin }).on('line', async (line) => {
  const cmd = JSON.parse(line);
  try {
    out({ id: cmd.id, ok: true, ...(await ops[cmd.op](cmd)) });
  } catch (err) {
    out({ id: cmd.id, ok: false, message: String(err?.message ?? err), condition: err?.condition, xml: err?.element?.toString?.() });
  }
});
