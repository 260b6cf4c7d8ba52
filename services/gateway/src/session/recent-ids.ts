/**
 * The archive IDs a session was recently given, so that a second live copy of the same message
 * is dropped. Copies come twice when a router died after delivering and its stanza was routed
 * again (the router delivers again rather than trust what the dead one did), or when a client
 * re-sent a message while its first copy was still being routed. Bounded by count and age: a
 * copy arrives again within a router's restart, not hours later, and an idle session should
 * not keep a long list.
 */
export class RecentIds {
  private readonly seenAt = new Map<string, number>();

  constructor(private readonly opts: { max: number; ttlMs: number }, private readonly now: () => number = Date.now) {}

  /** True when `id` was seen within the bounds (a duplicate); otherwise remembers it. */
  seenBefore(id: string): boolean {
    const t = this.now();
    const at = this.seenAt.get(id);
    if (at !== undefined && t - at < this.opts.ttlMs) return true;
    this.seenAt.delete(id);
    this.seenAt.set(id, t);
    // Insertion order is age order: drop from the front what is too old or too many.
    for (const [oldest, when] of this.seenAt) {
      if (this.seenAt.size <= this.opts.max && t - when < this.opts.ttlMs) break;
      this.seenAt.delete(oldest);
    }
    return false;
  }

  /** The IDs still within the bounds. */
  ids(): string[] {
    const t = this.now();
    return [...this.seenAt].filter(([, at]) => t - at < this.opts.ttlMs).map(([id]) => id);
  }
}
