// Generates TypeScript from the .proto files with buf + ts-proto (options in buf.gen.yaml),
// then compiles it to gen/. Generated code is rebuilt, never edited or committed.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const bin = join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

rmSync(join(here, 'gen-src'), { recursive: true, force: true });
execFileSync(join(bin, 'buf'), ['generate'], { cwd: here, env, stdio: 'inherit' });
execFileSync(join(bin, 'tsc'), ['-p', join(here, 'tsconfig.json')], { cwd: here, env, stdio: 'inherit' });
