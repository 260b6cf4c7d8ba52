/** NATS header names carried on Concord events. The only place they are spelled. */
export const Header = {
  /** W3C trace context (https://www.w3.org/TR/trace-context/). */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** JetStream de-duplication within the stream's duplicate window. */
  msgId: 'Nats-Msg-Id',
  /** The protobuf message type of the payload, e.g. concord.events.v1.HistoryEvent. */
  eventType: 'Concord-Event-Type',
  /** The account (bare JID) an event belongs to, for tracing and debugging. */
  account: 'Concord-Account',
} as const;
