import { ConfigError, readConfig, parseDuration, formatDuration, type Spec } from './index';

const spec = {
  url: { env: 'X_URL', type: 'string', doc: 'where', pattern: /^nats:\/\// },
  port: { env: 'X_PORT', type: 'int', doc: 'port', default: 80, min: 1, max: 65535 },
  tls: { env: 'X_TLS', type: 'bool', doc: 'tls', default: false },
  hosts: { env: 'X_HOSTS', type: 'list', doc: 'hosts', default: ['a'] },
  wait: { env: 'X_WAIT', type: 'duration', doc: 'wait', default: 1000, maxMs: 60_000 },
  mode: { env: 'X_MODE', type: 'string', doc: 'mode', default: 'a', oneOf: ['a', 'b'] },
} satisfies Spec;

describe('readConfig', () => {
  it('applies defaults and parses every type', () => {
    const c = readConfig(spec, { X_URL: 'nats://h:1', X_TLS: 'yes', X_HOSTS: 'h1, h2,', X_WAIT: '5s' });
    expect(c).toEqual({ url: 'nats://h:1', port: 80, tls: true, hosts: ['h1', 'h2'], wait: 5000, mode: 'a' });
  });

  it('reports every problem at once', () => {
    let err: unknown;
    try {
      readConfig(spec, { X_PORT: '0', X_TLS: 'maybe', X_WAIT: '2h', X_MODE: 'c' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/X_URL is required/);
    expect(problems.join('\n')).toMatch(/X_PORT="0": must be >= 1/);
    expect(problems.join('\n')).toMatch(/X_TLS="maybe"/);
    expect(problems.join('\n')).toMatch(/X_WAIT="2h": must be at most 60000ms/);
    expect(problems.join('\n')).toMatch(/X_MODE="c": must be one of a, b/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['x', undefined],
    ['-1s', undefined],
  ])('%s -> %s', (text, ms) => expect(parseDuration(text)).toBe(ms));
});

describe('formatDuration', () => {
  it.each([
    [0, '0'],
    [250, '250ms'],
    [90_000, '90s'],
    [3_600_000, '1h'],
    [604_800_000, '7d'],
  ])('%s -> %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
