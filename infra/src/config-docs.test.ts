import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configMarkdown, configSections } from './config-docs';

describe('README configuration table', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('documents every variable that a service or the stack reads', () => {
    const missing = configSections().flatMap((s) => Object.values(s.spec)).map((v) => v.env).filter((env) => !readme.includes(`\`${env}\``));
    expect(missing).toEqual([]);
  });

  it('is the generated table (run `node infra/bin/concord.mjs config-docs` and paste it)', () => {
    expect(readme).toContain(configMarkdown());
  });
});
