import { context as otContext, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { MsgHdrs } from '@nats-io/transport-node';

/**
 * W3C trace context in NATS headers. The propagator is fixed rather than taken from the
 * global registry, so the wire format is traceparent/tracestate whatever the SDK is set to.
 */
const propagator = new W3CTraceContextPropagator();

const setter: TextMapSetter<MsgHdrs> = { set: (h, k, v) => h.set(k, v) };
const getter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (h) => (h ? h.keys() : []),
  get: (h, k) => (h && h.has(k) ? h.get(k) : undefined),
};

export function injectTrace(ctx: Context, headers: MsgHdrs): void {
  propagator.inject(ctx, headers, setter);
}

export function extractTrace(headers: MsgHdrs | undefined, base: Context = otContext.active()): Context {
  return propagator.extract(base, headers, getter);
}
