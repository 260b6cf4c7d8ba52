/**
 * After a run: every acked message must be in the sender's and in the recipient's archive
 * exactly once (asked over XEP-0313 by the devices themselves), and must have reached its
 * recipient's device exactly once (live, re-sent after a resume, or in a catch-up). What MAM
 * answers is compared with the archive table itself, so that a paging or query bug cannot
 * pass for a loss (or hide one).
 */
import type { Device } from './device';
import type { Load } from './load';
import type { Row } from './verdict';

type Stored = (owner: string) => Promise<Map<string, number>>;

export async function check(fault: string, load: Load, recovery: number | null | undefined, problems: string[], stored: Stored): Promise<Row> {
  const acked = new Set(load.senders.flatMap((s) => [...s.acked.keys()]));
  const [senderArchives, recipientArchives] = await Promise.all([archives(load.senders, stored, acked, problems), archives(load.recipients, stored, acked, problems)]);
  const row: Row = {
    fault, sent: load.sent.size, acked: load.acked(), missingSender: 0, missingRecipient: 0, archiveDuplicates: 0,
    ackedNotDelivered: 0, liveDuplicates: 0, relogins: 0, recovery, problems,
  };
  for (const archive of [...senderArchives, ...recipientArchives]) {
    for (const n of archive.values()) row.archiveDuplicates += n - 1;
  }
  const examples = new Map<string, string>();
  const count = (what: keyof Row & ('missingSender' | 'missingRecipient' | 'ackedNotDelivered'), id: string) => {
    row[what]++;
    if (!examples.has(what)) examples.set(what, id);
  };
  load.senders.forEach((s, i) => {
    for (const id of s.acked.keys()) {
      const to = load.sent.get(id)!.recipient;
      if (!senderArchives[i]!.has(id)) count('missingSender', id);
      if (!recipientArchives[to]!.has(id)) count('missingRecipient', id);
      if (!load.recipients[to]!.received.has(id)) count('ackedNotDelivered', id);
    }
  });
  // One origin-id of each kind, to look for in the service logs.
  for (const [what, id] of examples) problems.push(`(${id} is one of the ${row[what as 'missingSender']} counted in ${what})`);
  for (const r of load.recipients) {
    for (const n of r.received.values()) row.liveDuplicates += n - 1;
  }
  for (const d of load.devices) row.relogins += d.logins - 1;
  return row;
}

/** Each device's archive over MAM, after comparing it with the table (on acked messages: others may still be on their way). */
async function archives(devices: Device[], stored: Stored, acked: Set<string>, problems: string[]): Promise<Map<string, number>[]> {
  return Promise.all(devices.map(async (d) => {
    const [mam, table] = await Promise.all([d.archive(), stored(d.jid)]);
    const differ = [...new Set([...mam.keys(), ...table.keys()])].filter((id) => acked.has(id) && mam.get(id) !== table.get(id));
    if (differ.length > 0) problems.push(`${d.jid}: MAM and the archive table differ on ${differ.length} messages (e.g. ${differ[0]}: ${mam.get(differ[0]!) ?? 0} vs ${table.get(differ[0]!) ?? 0})`);
    return mam;
  }));
}
