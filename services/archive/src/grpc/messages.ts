import { concord } from '@concord/proto';
import type { ArchivedRow } from '@concord/storage';
import { describeStanza } from '../projection/tombstone';

export type ArchivedMessage = concord.archive.v1.ArchivedMessage;

/** A stored row as the API shows it. */
export function toMessage(row: ArchivedRow): ArchivedMessage {
  const { body, retracted } = describeStanza(row.stanza);
  return concord.archive.v1.ArchivedMessage.fromPartial({
    archiveId: row.archiveId, position: row.position, with: row.with, outgoing: row.outgoing,
    timestampMs: row.timestampMs, xml: row.stanza, originId: row.originId, body, retracted,
  });
}
