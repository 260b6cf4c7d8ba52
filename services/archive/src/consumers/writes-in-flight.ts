/**
 * Archive writes in flight, by key (an account, or one archive ID of an account). Message rows
 * at their own positions commute, so an account's messages are written concurrently; an event
 * whose effect depends on what is already stored first waits for the writes it depends on: a
 * retraction or a deletion for all of the account's, a message that must read the ID index for
 * those with its ID.
 */
export class WritesInFlight {
  private readonly inFlight = new Map<string, Set<Promise<unknown>>>();

  /** Tracks `write` as one of `key`'s until it settles; returns it. */
  track<T>(key: string, write: Promise<T>): Promise<T> {
    let writes = this.inFlight.get(key);
    if (!writes) this.inFlight.set(key, (writes = new Set()));
    const tracked = writes;
    tracked.add(write);
    const forget = () => {
      tracked.delete(write);
      if (tracked.size === 0 && this.inFlight.get(key) === tracked) this.inFlight.delete(key);
    };
    write.then(forget, forget);
    return write;
  }

  /** Resolves once every write of `key` tracked so far has settled (succeeded or not). */
  async settled(key: string): Promise<void> {
    const writes = this.inFlight.get(key);
    if (writes) await Promise.allSettled([...writes]);
  }

  /** How many keys have writes in flight. */
  get keys(): number {
    return this.inFlight.size;
  }
}
