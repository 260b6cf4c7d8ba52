/** What one fault run measured, and whether it kept every promise of DESIGN §6. */
export interface Row {
  fault: string;
  sent: number;
  acked: number;
  missingSender: number;
  missingRecipient: number;
  archiveDuplicates: number;
  ackedNotDelivered: number;
  liveDuplicates: number;
  relogins: number;
  /** Seconds until every sender had an ack again after the failed part was back; null: never; undefined: no fault. */
  recovery: number | null | undefined;
  /** Other failures seen on the way (a service that died by itself, a slow SIGTERM exit, a run that broke). */
  problems: string[];
}

export const RECOVERY_LIMIT_S = 5;

/** Every broken promise of the run, in words; empty when the run passed. */
export function failures(r: Row): string[] {
  const out: string[] = [];
  if (r.missingSender > 0) out.push(`${r.missingSender} acked messages missing from the sender's archive`);
  if (r.missingRecipient > 0) out.push(`${r.missingRecipient} acked messages missing from the recipient's archive`);
  if (r.archiveDuplicates > 0) out.push(`${r.archiveDuplicates} duplicate archive rows`);
  if (r.ackedNotDelivered > 0) out.push(`${r.ackedNotDelivered} acked messages never reached their recipient`);
  if (r.liveDuplicates > 0) out.push(`${r.liveDuplicates} messages reached a recipient more than once`);
  if (r.relogins > 0) out.push(`${r.relogins} re-logins (a stream could not be resumed)`);
  if (r.acked < r.sent) out.push(`${r.sent - r.acked} messages never acked`);
  if (r.recovery === null) out.push('acks did not resume');
  else if (r.recovery !== undefined && r.recovery > RECOVERY_LIMIT_S) out.push(`acks resumed ${r.recovery.toFixed(1)}s after the part was back (limit ${RECOVERY_LIMIT_S}s)`);
  return [...out, ...r.problems];
}
