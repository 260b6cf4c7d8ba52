/**
 * Environment-variable configuration, declared once and validated at start.
 *
 * A service declares its variables as a spec (name, type, default, bounds, doc); `readConfig`
 * reads them all, collects every problem instead of stopping at the first, and throws one
 * ConfigError listing them, so an operator fixes a misconfiguration in one round.
 */

export type Env = Readonly<Record<string, string | undefined>>;

interface BaseVar<T> {
  /** Environment variable name, e.g. CONCORD_NATS_URL. */
  env: string;
  /** One line for the README table. */
  doc: string;
  /** Used when the variable is unset or empty. Omit to make the variable required. */
  default?: T;
}

export interface StringVar extends BaseVar<string> {
  type: 'string';
  pattern?: RegExp;
  oneOf?: readonly string[];
}
export interface IntVar extends BaseVar<number> {
  type: 'int';
  min?: number;
  max?: number;
}
export interface BoolVar extends BaseVar<boolean> {
  type: 'bool';
}
export interface ListVar extends BaseVar<string[]> {
  type: 'list';
  /** Each comma-separated item must match. */
  itemPattern?: RegExp;
}
export interface DurationVar extends BaseVar<number> {
  type: 'duration';
  /** Bounds in milliseconds. */
  minMs?: number;
  maxMs?: number;
}

export type VarSpec = StringVar | IntVar | BoolVar | ListVar | DurationVar;
export type Spec = Record<string, VarSpec>;

type ValueOf<V extends VarSpec> = V extends StringVar
  ? string
  : V extends IntVar
    ? number
    : V extends BoolVar
      ? boolean
      : V extends ListVar
        ? string[]
        : V extends DurationVar
          ? number
          : never;

export type ConfigOf<S extends Spec> = { readonly [K in keyof S]: ValueOf<S[K]> };

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
      problems.map((p) => `  - ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}
