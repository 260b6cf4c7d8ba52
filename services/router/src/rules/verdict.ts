/**
 * What every routing rule returns: a decision and the reason for it, so that a trace or a log
 * line can say why a stanza went where it went, and a test can pin both (STYLE.md: one predicate
 * per policy decision, returning a verdict and a reason).
 */
export interface Verdict<T> {
  verdict: T;
  /** Short human explanation citing the rule, e.g. "bare JID chat message (DESIGN §3.1)". */
  reason: string;
}

export function verdict<T>(value: T, reason: string): Verdict<T> {
  return { verdict: value, reason };
}
