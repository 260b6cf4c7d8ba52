/**
 * Open connections per remote address. A connection is counted from its first byte of TCP, before
 * any TLS handshake or WebSocket upgrade (those are what a flood would hold open), until its
 * socket is gone, however it ends: the release each admission returns may be called from every
 * place that sees the end (raw socket, TLS socket, transport) and counts once.
 */
export class ConnectionsPerAddress {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** A release for the admitted connection, or undefined when its address is at the limit. */
  admit(address: string): (() => void) | undefined {
    const n = this.open.get(address) ?? 0;
    if (n >= this.max) return undefined;
    this.open.set(address, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(address) ?? 1) - 1;
      if (left <= 0) this.open.delete(address);
      else this.open.set(address, left);
    };
  }

  /** Connections open from this address now. */
  count(address: string): number {
    return this.open.get(address) ?? 0;
  }
}
