import { parseArgs } from 'node:util';

/** A command line the operator has to correct: shown with the command's usage, exit code 64. */
export class UsageError extends Error {}

type Options = Record<string, { type: 'boolean' } | { type: 'string' }>;
type Values<O extends Options> = { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : string };

/**
 * A subcommand's arguments (node:util parseArgs, strict): `--name value` or `--name=value`
 * options as declared, flags, and at most `maxPositionals` positionals; anything else is a
 * UsageError that names it.
 */
export function commandArgs<O extends Options>(args: string[], options: O, maxPositionals: number): { values: Values<O>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(usageText(err as Error & { code?: string }));
  }
  if (parsed.positionals.length > maxPositionals) throw new UsageError(`unexpected argument ${parsed.positionals[maxPositionals]}`);
  return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/** parseArgs' messages, without the hints meant for a program's author. */
function usageText(err: Error & { code?: string }): string {
  const option = /'(-[^ ']+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? err.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option ? `${option.replace(/ .*/, '')} ${/argument missing/.test(err.message) ? 'needs a value' : 'takes no value'}` : err.message;
    default:
      return err.message;
  }
}
