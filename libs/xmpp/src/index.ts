export { NS, type Namespace } from './ns';
export { streamError, stanzaErrorChild, errorReply, type StreamErrorCondition, type StanzaErrorCondition, type StanzaErrorType } from './errors';
export { predictedArchiveId, base32 } from './archive-id';
export { carbonCopy, carbonPayload, type CarbonDirection } from './carbons';
