import type { Logger } from '@concord/log';
import type { Element } from '@concord/xml';
import { errorReply, type StanzaErrorCondition } from '@concord/xmpp';
import { trace } from '@opentelemetry/api';

/**
 * A stanza error the gateway answers a client with because another service failed it, logged
 * where it is sent: the client sees only the condition and `text`, the operator finds here the
 * cause and the trace id that leads to the other service's log.
 */
export function errorToClient(log: Logger, stanza: Element, condition: StanzaErrorCondition, text: string, cause: unknown): Element {
  log.warn({
    condition, to: stanza.attrs['from'], id: stanza.attrs['id'],
    err: cause instanceof Error ? cause.message : String(cause), traceId: trace.getActiveSpan()?.spanContext().traceId,
  }, text);
  return errorReply(stanza, condition, { text });
}
