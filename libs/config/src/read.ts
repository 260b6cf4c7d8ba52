import { ConfigError, type ConfigOf, type Env, type Spec, type VarSpec } from './spec';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);
const DURATION = /^(\d+)(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "250ms", "30s", "5m", "2h", "7d"; a bare number is milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
}

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

function parseOne(v: VarSpec, raw: string): Parsed {
  const fail = (why: string): Parsed => ({ ok: false, problem: `${v.env}=${JSON.stringify(raw)}: ${why}` });
  switch (v.type) {
    case 'string':
      if (v.oneOf && !v.oneOf.includes(raw)) return fail(`must be one of ${v.oneOf.join(', ')}`);
      if (v.pattern && !v.pattern.test(raw)) return fail(`must match ${v.pattern}`);
      return { ok: true, value: raw };
    case 'int': {
      if (!/^-?\d+$/.test(raw)) return fail('must be an integer');
      const n = Number(raw);
      if (v.min !== undefined && n < v.min) return fail(`must be >= ${v.min}`);
      if (v.max !== undefined && n > v.max) return fail(`must be <= ${v.max}`);
      return { ok: true, value: n };
    }
    case 'bool': {
      const t = raw.toLowerCase();
      if (TRUE.has(t)) return { ok: true, value: true };
      if (FALSE.has(t)) return { ok: true, value: false };
      return fail('must be true or false');
    }
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      const bad = v.itemPattern ? items.filter((i) => !v.itemPattern!.test(i)) : [];
      if (bad.length > 0) return fail(`invalid item(s) ${bad.join(', ')}`);
      return { ok: true, value: items };
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === undefined) return fail('must be a duration such as 500ms, 30s, 5m, 2h or 7d');
      if (v.minMs !== undefined && ms < v.minMs) return fail(`must be at least ${v.minMs}ms`);
      if (v.maxMs !== undefined && ms > v.maxMs) return fail(`must be at most ${v.maxMs}ms`);
      return { ok: true, value: ms };
    }
  }
}

/** Reads every variable of `spec` from `env`; throws one ConfigError naming every problem. */
export function readConfig<S extends Spec>(spec: S, env: Env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, v] of Object.entries(spec)) {
    const raw = env[v.env];
    if (raw === undefined || raw.trim() === '') {
      if (v.default === undefined) problems.push(`${v.env} is required: ${v.doc}`);
      else out[key] = v.default;
      continue;
    }
    const parsed = parseOne(v, raw.trim());
    if (parsed.ok) out[key] = parsed.value;
    else problems.push(parsed.problem);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** Merges specs; a variable declared twice must be declared identically. */
export function mergeSpecs<A extends Spec, B extends Spec>(a: A, b: B): A & B {
  for (const key of Object.keys(b)) {
    if (key in a && a[key]!.env !== b[key]!.env) throw new Error(`config key ${key} declared twice`);
  }
  return { ...a, ...b };
}

/** The largest whole unit: 86400000 → "1d", 90000 → "90s", 0 → "0". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit]! === 0) return `${ms / UNIT_MS[unit]!}${unit}`;
  }
  return `${ms}ms`;
}

function formatDefault(v: VarSpec): string {
  if (v.default === undefined) return '(required)';
  if (v.type === 'list') return (v.default as string[]).join(',') || '(empty)';
  if (v.type === 'duration') return formatDuration(v.default as number);
  return String(v.default) || '(empty)';
}

/** One markdown table row per variable, for the README. */
export function markdownRows(spec: Spec): string[] {
  return Object.values(spec).map((v) => `| \`${v.env}\` | ${formatDefault(v)} | ${v.doc} |`);
}
