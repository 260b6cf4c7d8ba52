export { Bus, type BusOptions } from './bus';
export { busNames, partitionOf, assertPrefix, DEFAULT_PREFIX, type BusNames, type StreamKey, type BucketKey } from './names';
export { Header } from './headers';
export { DEFAULT_BUS_SETTINGS, streamDecls, consumerDecls, gatewayConsumerDecls, bucketDecls, type BusSettings, type ConsumerDecl } from './registry';
export { ensureStreams, ensureConsumers, ensureBuckets } from './ensure';
export { eventType, type EventType, type MessageFns } from './codec';
export { publishEvent, publishCore, type PublishOptions } from './publish';
export { consumeEvents, ack, type Verdict, type Delivered, type RunningConsumer, type ConsumeOptions } from './consume';
export { injectTrace, extractTrace } from './trace';
