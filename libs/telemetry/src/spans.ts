import { context as otContext, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const tracer = () => trace.getTracer('@concord/telemetry');

/** Running totals of counted attributes, per span (the API cannot read an attribute back). */
const counts = new WeakMap<Span, Map<string, number>>();

/**
 * Runs `fn` inside a new child span of the active one, which ends when `fn` settles. A throw is
 * recorded on the span and rethrown.
 */
export async function inSpan<T>(name: string, opts: { kind?: SpanKind; attributes?: Attributes }, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = tracer().startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, ...(opts.attributes ? { attributes: opts.attributes } : {}) });
  try {
    return await otContext.with(trace.setSpan(otContext.active(), span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}

/** Adds `n` to a numeric attribute of the active span (e.g. recipients over several fan-outs). */
export function countOnActiveSpan(attribute: string, n: number): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  const totals = counts.get(span) ?? new Map<string, number>();
  counts.set(span, totals);
  const total = (totals.get(attribute) ?? 0) + n;
  totals.set(attribute, total);
  span.setAttribute(attribute, total);
}

/** Sets attributes on the active span, if any: identifiers learnt after the span started. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** The active span's IDs as log fields, so that a log line leads to its trace. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}
