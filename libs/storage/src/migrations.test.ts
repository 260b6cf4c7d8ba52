import { loadMigrations, splitStatements } from './migrations';
import { parseReplication, replicationCql } from './replication';

describe('splitStatements', () => {
  it('splits on line-ending semicolons and drops comments', () => {
    const cql = `-- header\nCREATE TABLE a (\n  x int PRIMARY KEY -- key\n);\n\nCREATE TYPE t (y int);\n`;
    expect(splitStatements(cql)).toEqual(['CREATE TABLE a (\n  x int PRIMARY KEY\n)', 'CREATE TYPE t (y int)']);
  });

  it('refuses an unterminated statement', () => {
    expect(() => splitStatements('CREATE TABLE a (x int PRIMARY KEY)')).toThrow(/unterminated/);
  });
});

describe('shipped migrations', () => {
  it('are numbered without gaps from 1', () => {
    const versions = loadMigrations().map((m) => m.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  });
});

describe('replication', () => {
  it.each([
    ['SimpleStrategy:1', "{'class': 'SimpleStrategy', 'replication_factor': 1}"],
    ['NetworkTopologyStrategy:dc1=3,dc2=2', "{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}"],
  ])('%s', (text, cql) => expect(replicationCql(parseReplication(text))).toBe(cql));

  it.each(['SimpleStrategy:0', 'NetworkTopologyStrategy:', "NetworkTopologyStrategy:d'c=1", 'Everywhere:3'])('rejects %s', (text) => {
    expect(() => parseReplication(text)).toThrow(/replication/);
  });
});
