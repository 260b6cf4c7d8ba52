import { eventType, publishEvent, type Bus } from '@concord/bus';
import { concord } from '@concord/proto';

export const CommitEvent = eventType('concord.events.v1.Commit', concord.events.v1.Commit);
export type Commit = concord.events.v1.Commit;

/** Reports a stanza's final outcome to the gateway node that accepted it. */
export async function publishCommit(bus: Bus, gatewayNode: string, commit: Commit): Promise<void> {
  await publishEvent(bus.js, bus.names.subjects.commit(gatewayNode), CommitEvent, commit, { msgId: `commit:${commit.inboundId}` });
}
