import { ack, consumeEvents, type RunningConsumer, type Verdict } from '@concord/bus';
import { InboundStanzaEvent } from '@concord/events';
import type { Worker } from '@concord/runtime';
import { parseElement, type Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import type { PresenceContext } from '../context';
import { handlePresence } from '../presence/handle';

/**
 * Presence stanzas the router handed over (PRESENCE stream), in order: broadcasts, directed
 * presence, probes and subscription stanzas. A failure is retried in place, so that one
 * account's presence never overtakes itself.
 */
export function presenceStanzasWorker(ctx: PresenceContext): Worker {
  let running: RunningConsumer | undefined;
  const { bus, log } = ctx;
  return {
    name: 'presence-stanzas',
    async start() {
      running = await consumeEvents(bus.js, InboundStanzaEvent, {
        stream: bus.names.stream('presence'), durable: bus.names.durable('presence', 'events'), log, inOrder: { maxAttempts: 20 },
      }, async ({ value }): Promise<Verdict> => {
        const stanza = presenceOf(value.xml);
        if (typeof stanza === 'string') return { kind: 'drop', reason: stanza };
        await handlePresence(ctx, value, stanza);
        return ack;
      });
    },
    async stop() {
      await running?.stop();
    },
  };
}

/** The presence stanza an event carries, or why it is poison (dropped, never retried). */
function presenceOf(xml: string): Element | string {
  try {
    const stanza = parseElement(xml, undefined, NS.client);
    return stanza.name === 'presence' ? stanza : `<${stanza.name}> is not presence`;
  } catch (err) {
    return `unparsable stanza: ${(err as Error).message}`;
  }
}
