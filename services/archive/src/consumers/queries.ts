import { responder, type Bus } from '@concord/bus';
import { ArchiveQueryRpc } from '@concord/events';
import type { Logger } from '@concord/log';
import { concord } from '@concord/proto';
import type { Worker } from '@concord/runtime';
import type { ArchiveStore } from '@concord/storage';
import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { answerMam, type AnswerLimits } from '../mam/answer';
import { MAX_MAX } from '../mam/query';
import type { Watermark } from './watermark';

/** nats-server's max_payload when the server did not say (it always does once connected). */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** All archive instances share the queries; each is answered by one. */
const QUEUE = 'archive';

/** Longest a query waits for the watermark before answering with what is committed. */
const WATERMARK_WAIT_MS = 5_000;

/** The most results a page of the gateway's own catch-up holds (its byte limit usually cuts first). */
const INTERNAL_MAX_RESULTS = 5_000;

/**
 * The answer's share of the bus's largest message (the server's max_payload, 1 MiB by default):
 * the rest is room for the response's own framing.
 */
const PAYLOAD_SHARE = 0.9;

/** What one request may get: a client's XEP-0313 limit, or the catch-up's larger page. */
function answerLimits(req: { maxResults: number }, maxPayload: number): AnswerLimits {
  return {
    maxResults: req.maxResults > 0 ? Math.min(req.maxResults, INTERNAL_MAX_RESULTS) : MAX_MAX,
    maxBytes: Math.floor(maxPayload * PAYLOAD_SHARE),
  };
}

/**
 * Queries answered at once by one archive instance: a query waits for the watermark (up to
 * WATERMARK_WAIT_MS) and reads Cassandra, so they run side by side, within a bound.
 */
const MAX_IN_FLIGHT = 64;

/** XEP-0313 queries from gateways, over core NATS request/reply. */
export function queriesWorker(bus: Bus, store: ArchiveStore, log: Logger, watermark: Watermark): Worker {
  return responder(bus, ArchiveQueryRpc, {
    queue: QUEUE,
    maxInFlight: MAX_IN_FLIGHT,
    async answer(req) {
      if (req.minPosition > 0) await watermark.reached(req.minPosition, WATERMARK_WAIT_MS);
      const limits = answerLimits(req, bus.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD);
      return answerMam(store, req.account, req.fullJid, parseElement(req.iqXml, undefined, NS.client), limits);
    },
    // With nothing to write, the gateway answers the client with an error itself.
    failed: () => ({ stanzas: [], resultIds: [] }),
    log,
  });
}
