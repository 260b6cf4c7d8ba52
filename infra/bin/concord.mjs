#!/usr/bin/env node
// Entry point of `npm start`, `npm test` and friends. Dependency-free on purpose: on a fresh
// clone it installs the npm dependencies and builds before handing over to the compiled
// stack tooling (infra/src), so the README's two commands are all a new machine needs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const t0 = Date.now();

function step(label, fn) {
  const started = Date.now();
  process.stdout.write(`[concord] ${label} ...\n`);
  fn();
  process.stdout.write(`[concord] ✓ ${label} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    process.stderr.write(`[concord] ✗ ${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}\n`);
    process.exit(r.status ?? 1);
  }
}

function newestMtime(dir, filter) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('gen')) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, filter));
    else if (filter(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
  if (!stale) return;
  // `npm install`, not `npm ci`: every dependency is pinned exactly and the lock file is
  // honoured, while `npm ci` rejects lock files that list only this platform's optional
  // binaries (@swc/core, buf), as npm writes them here.
  step('installing npm dependencies', () => run('npm', ['install', '--no-audit', '--no-fund']));
}

function build() {
  const protoDir = join(root, 'proto');
  const genIndex = join(protoDir, 'gen', 'index.js');
  const protoChanged = !existsSync(genIndex) || newestMtime(protoDir, (n) => n.endsWith('.proto') || n.endsWith('.yaml')) > statSync(genIndex).mtimeMs;
  if (protoChanged) step('generating protobuf code (buf + ts-proto)', () => run('node', [join(protoDir, 'generate.mjs')]));
  step('compiling TypeScript (tsc -b)', () => run(join(root, 'node_modules', '.bin', 'tsc'), ['-b']));
  step('type-checking tests', () => run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'test', 'tsconfig.json')]));
}

/**
 * npm does not always pass SIGTERM on to the script it runs. When our parent (npm) goes away,
 * behave as if we had received SIGTERM, so nothing we started is left behind.
 */
function watchParent() {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      process.kill(process.pid, 'SIGTERM');
    }
  }, 500);
  timer.unref();
}

const command = process.argv[2] ?? 'start';
ensureDependencies();
build();
if (command === 'build') {
  process.stdout.write(`[concord] build done in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
} else {
  // Hand over in-process (no extra child) so signals reach the supervisor directly.
  const require = createRequire(import.meta.url);
  const { main } = require(join(root, 'infra', 'dist', 'cli.js'));
  watchParent();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (err) => {
    process.stderr.write(`[concord] ✗ ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
