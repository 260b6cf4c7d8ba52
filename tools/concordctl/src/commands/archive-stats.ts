import type { ArchiveEdge, ArchiveStats } from '@concord/storage';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function edge(e: ArchiveEdge | undefined): string {
  return e ? `${e.archiveId} at ${new Date(e.timestampMs).toISOString()} (position ${e.position})` : '-';
}

/** `concordctl archive stats` as aligned lines: totals, both ends, then one line per bucket. */
export function formatArchiveStats(s: ArchiveStats): string[] {
  return [
    `account        ${s.owner}`,
    `messages       ${s.messages}`,
    `first          ${edge(s.first)}`,
    `last           ${edge(s.last)}`,
    `conversations  ${s.conversations}`,
    `buckets        ${s.buckets.length} (30 days each)`,
    ...s.buckets.map((b) => `  ${day(b.startMs)}   ${String(b.messages).padStart(8)} messages   (bucket ${b.bucket})`),
  ];
}
