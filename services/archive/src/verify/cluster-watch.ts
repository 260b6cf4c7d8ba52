import type { Client } from 'cassandra-driver';

/**
 * Whether Cassandra has just come back: every host it knows was down, and now one is up. A
 * node that restarts may have lost writes it had acknowledged (periodic commit-log sync); a
 * cluster that only lost some of its hosts kept its quorum, and nothing acknowledged is lost.
 */
export function clusterTransition(allDown: boolean, hostsUp: number, hosts: number): { allDown: boolean; cameBack: boolean } {
  if (hosts === 0) return { allDown, cameBack: false };
  if (hostsUp === 0) return { allDown: true, cameBack: false };
  return { allDown: false, cameBack: allDown };
}

/** Calls `onBack` each time the driver sees the cluster come back; returns the unsubscribe. */
export function watchCluster(client: Client, on: { allDown: () => void; back: () => void }): () => void {
  let allDown = false;
  const check = () => {
    const hosts = client.hosts.values();
    const next = clusterTransition(allDown, hosts.filter((h) => h.isUp()).length, hosts.length);
    if (next.allDown && !allDown) on.allDown();
    allDown = next.allDown;
    if (next.cameBack) on.back();
  };
  // A node can also come back as a new host object (the driver re-adds it after a topology
  // refresh): added already up, with no 'hostUp' of its own.
  const events = ['hostDown', 'hostUp', 'hostAdd', 'hostRemove'];
  for (const e of events) client.on(e, check);
  return () => {
    for (const e of events) client.off(e, check);
  };
}
