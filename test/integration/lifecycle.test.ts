/**
 * `npm start` from the outside, as an operator runs it: a stack of its own (own state folder
 * and ports), every service ready per `concordctl status`, and after SIGTERM no process it
 * started is left: no nats-server, no java, no node.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendants, freePort, isAlive } from '../support/processes';
import { requireStack } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const SERVICES = ['gateway', 'router', 'archive', 'presence', 'push'];

describe('npm start lifecycle', () => {
  requireStack();
  const state = mkdtempSync(join(tmpdir(), 'concord-lifecycle-'));
  afterAll(() => {
    // If an assertion failed half-way, stop what the run under test left behind.
    for (const f of [join(state, 'nats', 'nats-server.pid'), join(state, 'cassandra', 'cassandra.pid')]) {
      try {
        process.kill(Number(readFileSync(f, 'utf8')), 'SIGKILL');
      } catch {
        // not running, or never started
      }
    }
    rmSync(state, { recursive: true, force: true });
  });

  it('starts everything, reports ready, and leaves nothing behind after SIGTERM', async () => {
    const ports = await Promise.all(Array.from({ length: 4 + SERVICES.length }, freePort));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CONCORD_STATE_DIR: state,
      CONCORD_NATS_PORT: String(ports[0]),
      CONCORD_NATS_MONITOR_PORT: String(ports[1]),
      CONCORD_CASSANDRA_PORT: String(ports[2]),
      CONCORD_CASSANDRA_STORAGE_PORT: String(ports[3]),
      CONCORD_CASSANDRA_UNSAFE_FAST: 'true',
      CONCORD_CASSANDRA_HEAP: '512m',
      CONCORD_GATEWAY_TCP_PORT: '0',
      CONCORD_GATEWAY_TLS_PORT: '0',
      CONCORD_GATEWAY_WS_PORT: '0',
      ...Object.fromEntries(SERVICES.map((s, i) => [`CONCORD_${s.toUpperCase()}_HTTP_PORT`, String(ports[4 + i])])),
    };
    // The stack under test is this one, not the one `npm test` runs on.
    delete env['CONCORD_NATS_URL'];
    delete env['CONCORD_CASSANDRA_CONTACT_POINTS'];

    const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        npm.stdout.on('data', (d: Buffer) => {
          output += d.toString();
          if (/\[concord\] ready in/.test(output)) resolve();
        });
        void exited.then((code) => reject(new Error(`npm start exited with ${code} before ready:\n${output}`)));
      });
      expect(output).toMatch(/✓ starting nats-server/);
      expect(output).toMatch(/✓ starting Cassandra/);

      const status = spawnSync(process.execPath, [join(ROOT, 'tools', 'concordctl', 'dist', 'main.js'), 'status', '--json'], {
        env: { ...env, CONCORD_NATS_URL: `nats://127.0.0.1:${ports[0]}`, CONCORD_CASSANDRA_CONTACT_POINTS: `127.0.0.1:${ports[2]}` },
        encoding: 'utf8',
      });
      expect(JSON.parse(status.stdout)).toMatchObject({ ready: true });
      expect(status.status).toBe(0);

      // Each service serves Prometheus metrics; the gateway's own instruments are there.
      const metrics = await (await fetch(`http://127.0.0.1:${ports[4]}/metrics`)).text();
      expect(metrics).toMatch(/^concord_gateway_sessions[{ ]/m);
      expect(metrics).toMatch(/service_name="concord-gateway"/);

      const started = [
        ...descendants(npm.pid!),
        Number(readFileSync(join(state, 'nats', 'nats-server.pid'), 'utf8')),
        Number(readFileSync(join(state, 'cassandra', 'cassandra.pid'), 'utf8')),
      ];
      expect(started.length).toBeGreaterThanOrEqual(2 + SERVICES.length + 1);

      npm.kill('SIGTERM');
      await exited;
      // The stack stops its detached components before the supervisor exits.
      expect(started.filter(isAlive)).toEqual([]);
      expect(output).toMatch(/✓ stopping Cassandra/);
    } finally {
      if (npm.exitCode === null && npm.signalCode === null) {
        npm.kill('SIGTERM');
        await exited;
      }
    }
  }, 180_000);
});
