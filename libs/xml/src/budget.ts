/**
 * Byte accounting for the top-level unit a stream is currently receiving: the stream header, or
 * everything since the previous stanza ended. Positions count UTF-16 code units of the text
 * handed to saxes, so they line up with saxes' `position`; sizes are UTF-8 bytes.
 */
import { XmlStreamError } from './errors';

const WS_ONLY = /^[ \t\r\n]*$/;

export class UnitBudget {
  private piece = '';
  /** Position of the current piece's first character. */
  private base = 0;
  private fed = 0;
  private unitStart = 0;
  /** Bytes of the current unit in earlier pieces. */
  private unitBytes = 0;

  constructor(private readonly max: number) {}

  /** `piece` is about to go to saxes; `newUnit`: nothing before it belongs to the current unit. */
  feed(piece: string, newUnit: boolean): void {
    if (newUnit) this.unitStart = this.fed;
    this.piece = piece;
    this.base = this.fed;
    this.fed += piece.length;
  }

  /** The unit ends at saxes position `end`: checks its exact size and starts the next one. */
  end(end: number): void {
    const start = this.unitStart - this.base;
    const bytes = (start >= 0 ? 0 : this.unitBytes) + Buffer.byteLength(this.piece.slice(Math.max(start, 0), end - this.base));
    if (bytes > this.max) throw this.tooLarge();
    this.unitStart = end;
  }

  /**
   * saxes has consumed the piece: charges its tail to the current unit (throwing once over the
   * limit) and tells whether the unit so far is whitespace that began in this piece.
   */
  settle(): boolean {
    const start = this.unitStart - this.base;
    const tail = start > 0 ? this.piece.slice(start) : this.piece;
    this.piece = '';
    this.unitBytes = (start >= 0 ? 0 : this.unitBytes) + Buffer.byteLength(tail);
    if (this.unitBytes > this.max) throw this.tooLarge();
    return start >= 0 && WS_ONLY.test(tail);
  }

  private tooLarge(): XmlStreamError {
    return new XmlStreamError('policy-violation', `stanza larger than ${this.max} bytes`);
  }
}
