import { commandArgs, UsageError } from './args';

describe('command arguments', () => {
  const options = { admin: { type: 'boolean' }, since: { type: 'string' } } as const;

  it.each([
    ['positionals and a flag in any order', ['--admin', 'alice@localhost', 's3cret'], { admin: true }, ['alice@localhost', 's3cret']],
    ['an option with its value', ['--since', '30m'], { since: '30m' }, []],
    ['an option with =value', ['--since=6h'], { since: '6h' }, []],
    ['"-" as a positional (read from stdin)', ['alice@localhost', '-'], {}, ['alice@localhost', '-']],
  ])('takes %s', (_what, args, values, positionals) => {
    const parsed = commandArgs(args, options, 2);
    expect({ ...parsed.values }).toEqual(values);
    expect(parsed.positionals).toEqual(positionals);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['-x'], 'unknown option -x'],
    [['--since'], '--since needs a value'],
    [['--admin=yes'], '--admin takes no value'],
    [['a', 'b', 'c'], 'unexpected argument c'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => commandArgs(args, options, 2)).toThrow(new UsageError(message));
  });
});
