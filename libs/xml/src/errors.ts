/**
 * Errors of the XML layer.
 *
 * XmlStreamError carries the RFC 6120 §4.9.3 stream error condition the gateway answers with, so
 * the transport never has to interpret parser messages. XmlSerializeError is a programming error:
 * something tried to write a name or character that XML 1.0 cannot represent.
 */

/** The subset of RFC 6120 §4.9.3 conditions the XML layer can decide on its own. */
export type StreamErrorCondition =
  | 'not-well-formed'
  | 'restricted-xml'
  | 'policy-violation'
  | 'invalid-namespace'
  | 'bad-format'
  | 'unsupported-encoding'
  | 'invalid-xml';

export class XmlStreamError extends Error {
  readonly code = 'XML_STREAM_ERROR';
  constructor(readonly condition: StreamErrorCondition, message: string) {
    super(message);
    this.name = 'XmlStreamError';
  }
}

export class XmlSerializeError extends Error {
  readonly code = 'XML_UNSERIALIZABLE';
  constructor(message: string) {
    super(message);
    this.name = 'XmlSerializeError';
  }
}
