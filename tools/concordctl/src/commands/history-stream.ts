import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { busNames, type BusNames } from '@concord/bus';
import type { CommonConfig } from '@concord/runtime';

export interface StreamState {
  firstSeq: number;
  lastSeq: number;
  messages: number;
}

/** What a command that reads the history stream works with. */
export interface HistoryStream {
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: BusNames;
  /** The stream's name. */
  stream: string;
  state: StreamState;
}

/**
 * Connects to NATS as `clientName`, runs `body` with the history stream and closes the
 * connection; exit code 1 with a line saying so when the stream does not exist.
 */
export async function withHistoryStream(c: CommonConfig, clientName: string, out: (s: string) => void, body: (h: HistoryStream) => Promise<number>): Promise<number> {
  const names = busNames(c.busPrefix, c.busPartitions);
  const stream = names.stream('history');
  const nc = await connect({ servers: c.natsUrls, name: clientName });
  try {
    const jsm = await jetstreamManager(nc);
    const state = await streamState(jsm, stream);
    if (!state) {
      out(`the history stream ${stream} does not exist (is CONCORD_BUS_PREFIX right?)`);
      return 1;
    }
    return await body({ js: jetstream(nc), jsm, names, stream, state });
  } finally {
    await nc.close();
  }
}

async function streamState(jsm: JetStreamManager, stream: string): Promise<StreamState | undefined> {
  try {
    const { state } = await jsm.streams.info(stream);
    return { firstSeq: state.first_seq, lastSeq: state.last_seq, messages: state.messages };
  } catch (err) {
    if (/stream not found/i.test((err as Error).message)) return undefined;
    throw err;
  }
}
