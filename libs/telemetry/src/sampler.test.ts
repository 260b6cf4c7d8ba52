import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Context } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { concordSampler } from './sampler';

const parent = (flags: TraceFlags): Context =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: flags, isRemote: false });

describe('concordSampler', () => {
  const cases: [string, Context, string, SamplingDecision][] = [
    ['a root span of Concord', ROOT_CONTEXT, 'xmpp inbound message', SamplingDecision.RECORD_AND_SAMPLED],
    ['a root gRPC call', ROOT_CONTEXT, 'grpc concord.archive.v1.ArchiveService/Query', SamplingDecision.RECORD_AND_SAMPLED],
    ['a query outside any trace', ROOT_CONTEXT, 'cassandra-driver.execute', SamplingDecision.NOT_RECORD],
    ['a batch outside any trace', ROOT_CONTEXT, 'cassandra-driver.batch', SamplingDecision.NOT_RECORD],
    ['a query inside a sampled write', parent(TraceFlags.SAMPLED), 'cassandra-driver.execute', SamplingDecision.RECORD_AND_SAMPLED],
    ['a span under an unsampled parent', parent(TraceFlags.NONE), 'route message', SamplingDecision.NOT_RECORD],
  ];
  it.each(cases)('%s', (_what, ctx, name, decision) => {
    expect(concordSampler().shouldSample(ctx, '0af7651916cd43dd8448eb211c80319c', name, SpanKind.CLIENT, {}, []).decision).toBe(decision);
  });
});
