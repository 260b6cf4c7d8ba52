import { failures, type Row } from './verdict';

const COLUMNS: [string, (r: Row) => string][] = [
  ['fault', (r) => r.fault],
  ['sent', (r) => String(r.sent)],
  ['acked', (r) => String(r.acked)],
  ['missing (sender archive)', (r) => String(r.missingSender)],
  ['missing (recipient archive)', (r) => String(r.missingRecipient)],
  ['archive dups', (r) => String(r.archiveDuplicates)],
  ['acked not delivered', (r) => String(r.ackedNotDelivered)],
  ['live dups', (r) => String(r.liveDuplicates)],
  ['re-logins', (r) => String(r.relogins)],
  ['acks resumed after (s)', (r) => (r.recovery === undefined ? '-' : r.recovery === null ? 'never' : r.recovery.toFixed(1))],
  ['verdict', (r) => (failures(r).length === 0 ? 'pass' : 'FAIL')],
];

/** The results as a Markdown table, then why each failed run failed. */
export function table(rows: Row[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)];
  for (const r of rows) {
    const why = failures(r);
    if (why.length > 0) out.push('', `${r.fault}:`, ...why.map((w) => `  - ${w}`));
  }
  return out.join('\n');
}
