export { Element, Verbatim, el, serialize, verbatim, type Node, type AttrInput } from './element';
export { escapeAttr, escapeText } from './escape';
export { XmlStreamError, XmlSerializeError, type StreamErrorCondition } from './errors';
export { DEFAULT_LIMITS, type ParserLimits } from './limits';
export { XmppStreamParser, type StreamHandlers } from './stream-parser';
export { parseElement } from './fragment';
