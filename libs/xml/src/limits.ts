/** Per-stanza resource limits shared by the stream parser and the fragment parser. */

export interface ParserLimits {
  /** Largest top-level element (or stream header), counted in bytes as they arrive. Default 256 KiB. */
  maxStanzaBytes: number;
  /** Deepest element nesting, the stanza itself being depth 1 (the stream root is depth 0). Default 32. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: Readonly<ParserLimits> = Object.freeze({ maxStanzaBytes: 262_144, maxDepth: 32 });

export function resolveLimits(limits?: Partial<ParserLimits>): ParserLimits {
  const out: ParserLimits = {
    maxStanzaBytes: limits?.maxStanzaBytes ?? DEFAULT_LIMITS.maxStanzaBytes,
    maxDepth: limits?.maxDepth ?? DEFAULT_LIMITS.maxDepth,
  };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`parser limit ${k} must be a positive integer, got ${v}`);
  }
  return out;
}
