import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { ParentBasedSampler, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { DRIVER_SPAN_PREFIX } from './instrumentations';

/**
 * Root sampler: every trace is kept, except one that would start with a Cassandra query.
 * Queries made for a stanza, a gRPC call or an event run inside its span and are kept with
 * it; background queries (the retention sweep, a schema check, a fill from a table) would
 * otherwise make one trace per query and bury the traces of messages.
 */
export class NoDriverRootsSampler implements Sampler {
  shouldSample(_context: Context, _traceId: string, spanName: string, _kind: SpanKind, _attributes: Attributes, _links: Link[]): SamplingResult {
    return { decision: spanName.startsWith(DRIVER_SPAN_PREFIX) ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return 'NoDriverRootsSampler';
  }
}

/** A child follows its parent's decision; a root is decided by NoDriverRootsSampler. */
export function concordSampler(): Sampler {
  return new ParentBasedSampler({ root: new NoDriverRootsSampler() });
}
