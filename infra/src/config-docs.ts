import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownRows, type Spec } from '@concord/config';
import { archiveSpec } from '@concord/archive';
import { gatewaySpec } from '@concord/gateway';
import { presenceSpec } from '@concord/presence';
import { pushSpec } from '@concord/push';
import { routerSpec } from '@concord/router';
import { commonSpec } from '@concord/runtime';
import { ROOT } from './paths';
import { stackSpec } from './stack-config';

/** Every documented variable, grouped as the README shows them. */
export function configSections(): { title: string; spec: Spec }[] {
  const own = (s: Spec): Spec => Object.fromEntries(Object.entries(s).filter(([k]) => !(k in commonSpec)));
  return [
    { title: 'All services (and concordctl)', spec: commonSpec },
    { title: 'gateway', spec: own(gatewaySpec) },
    { title: 'router', spec: own(routerSpec) },
    { title: 'archive', spec: own(archiveSpec) },
    { title: 'presence', spec: own(presenceSpec) },
    { title: 'push', spec: own(pushSpec) },
    { title: 'Local stack (`npm start`, `npm test`)', spec: stackSpec },
  ];
}

/** The README's configuration table, one table with a row per variable. */
export function configMarkdown(): string {
  const rows: string[] = ['| variable | default | meaning |', '|---|---|---|'];
  for (const s of configSections()) {
    rows.push(`| **${s.title}** | | |`);
    rows.push(...markdownRows(s.spec));
  }
  return rows.join('\n');
}

const START = /<!-- config-table:start[^>]*-->\n/;
const END = '\n<!-- config-table:end -->';

/** Replaces the table between the README's config-table markers. */
export function writeReadmeConfig(): void {
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const start = START.exec(text);
  const end = text.indexOf(END);
  if (!start || end < 0) throw new Error('README.md lacks the config-table markers');
  writeFileSync(file, text.slice(0, start.index + start[0].length) + configMarkdown() + text.slice(end));
}
