/**
 * Keyspace replication from one configuration string:
 *   "SimpleStrategy:1"                          (one node, development)
 *   "NetworkTopologyStrategy:dc1=3,dc2=3"       (clusters)
 */
export type Replication =
  | { class: 'SimpleStrategy'; replicationFactor: number }
  | { class: 'NetworkTopologyStrategy'; dataCenters: Record<string, number> };

const DC_RE = /^[A-Za-z0-9_-]+$/;

export function parseReplication(text: string): Replication {
  const [cls, rest = ''] = text.split(':', 2);
  if (cls === 'SimpleStrategy') {
    const rf = Number(rest);
    if (!Number.isInteger(rf) || rf < 1) throw new Error(`replication ${JSON.stringify(text)}: SimpleStrategy needs a factor >= 1, e.g. SimpleStrategy:1`);
    return { class: 'SimpleStrategy', replicationFactor: rf };
  }
  if (cls === 'NetworkTopologyStrategy') {
    const dataCenters: Record<string, number> = {};
    for (const pair of rest.split(',').filter(Boolean)) {
      const [dc = '', n = ''] = pair.split('=');
      const rf = Number(n);
      if (!DC_RE.test(dc) || !Number.isInteger(rf) || rf < 1) throw new Error(`replication ${JSON.stringify(text)}: bad data center entry ${JSON.stringify(pair)}`);
      dataCenters[dc] = rf;
    }
    if (Object.keys(dataCenters).length === 0) throw new Error(`replication ${JSON.stringify(text)}: name at least one data center, e.g. NetworkTopologyStrategy:dc1=3`);
    return { class: 'NetworkTopologyStrategy', dataCenters };
  }
  throw new Error(`replication ${JSON.stringify(text)}: use SimpleStrategy:N or NetworkTopologyStrategy:dc=N,...`);
}

/** The CQL map literal for CREATE KEYSPACE ... WITH replication = <this>. */
export function replicationCql(r: Replication): string {
  if (r.class === 'SimpleStrategy') return `{'class': 'SimpleStrategy', 'replication_factor': ${r.replicationFactor}}`;
  const dcs = Object.entries(r.dataCenters).map(([dc, n]) => `'${dc}': ${n}`).join(', ');
  return `{'class': 'NetworkTopologyStrategy', ${dcs}}`;
}
