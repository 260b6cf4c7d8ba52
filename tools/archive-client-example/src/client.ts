/**
 * A small client of the Concord archive API, as an internal team would write it: the
 * ts-proto generated client (`concord.archive.v1.ArchiveServiceClient`) on @grpc/grpc-js,
 * with the bearer token sent as call metadata, a deadline on every call, and promises.
 * Compiled with the rest of the repository, so it cannot drift from the .proto contract.
 */
import { ChannelCredentials, credentials, Metadata, type CallOptions, type ClientReadableStream, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { concord } from '@concord/proto';

const v1 = concord.archive.v1;
export type QueryRequest = concord.archive.v1.QueryRequest;
export type SyncEvent = concord.archive.v1.SyncEvent;
export type ArchivedMessage = concord.archive.v1.ArchivedMessage;

export interface ArchiveClientOptions {
  /** host:port of the archive service's gRPC listener, e.g. 127.0.0.1:50051. */
  address: string;
  /** The caller's bearer token (CONCORD_ARCHIVE_GRPC_CALLERS); omit when a client certificate identifies the caller. */
  token?: string;
  /** TLS towards the server: its CA, and a client certificate for mTLS. Omit for plaintext on loopback. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Deadline of each call unless the call names one (default 10 s). */
  timeoutMs?: number;
}

type Callback<Res> = (err: ServiceError | null, res: Res) => void;
type UnaryMethod<Req, Res> = (req: Req, md: Metadata, opts: Partial<CallOptions>, cb: Callback<Res>) => ClientUnaryCall;

export class ArchiveClient {
  /** The generated client, for anything this wrapper does not cover. */
  readonly raw: concord.archive.v1.ArchiveServiceClient;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(opts: ArchiveClientOptions) {
    const channel: ChannelCredentials = opts.tls
      ? credentials.createSsl(opts.tls.ca ?? null, opts.tls.key ?? null, opts.tls.cert ?? null)
      : credentials.createInsecure();
    this.raw = new v1.ArchiveServiceClient(opts.address, channel);
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Call metadata: the bearer token. grpc-js sends per-call metadata on plaintext channels too. */
  metadata(): Metadata {
    const md = new Metadata();
    if (this.token) md.set('authorization', `Bearer ${this.token}`);
    return md;
  }

  private options(timeoutMs?: number): Partial<CallOptions> {
    return { deadline: Date.now() + (timeoutMs ?? this.timeoutMs) };
  }

  private unary<Req, Res>(method: UnaryMethod<Req, Res>, req: Req, timeoutMs?: number): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(this.raw, req, this.metadata(), this.options(timeoutMs), (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  query(req: Partial<QueryRequest>, timeoutMs?: number) {
    return this.unary(this.raw.query as UnaryMethod<QueryRequest, concord.archive.v1.QueryResponse>, v1.QueryRequest.fromPartial(req), timeoutMs);
  }

  /** Every message matching `req`, following page tokens. */
  async *queryAll(req: Partial<QueryRequest>): AsyncGenerator<ArchivedMessage> {
    let pageToken = '';
    do {
      const page = await this.query({ ...req, pageToken });
      yield* page.messages;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  getMessages(account: string, archiveIds: string[], timeoutMs?: number) {
    return this.unary(this.raw.getMessages as UnaryMethod<concord.archive.v1.GetMessagesRequest, concord.archive.v1.GetMessagesResponse>, { account, archiveIds }, timeoutMs);
  }

  listConversations(account: string, page: { pageSize?: number; pageToken?: string } = {}, timeoutMs?: number) {
    return this.unary(this.raw.listConversations as UnaryMethod<concord.archive.v1.ListConversationsRequest, concord.archive.v1.ListConversationsResponse>,
      v1.ListConversationsRequest.fromPartial({ account, ...page }), timeoutMs);
  }

  deleteAccountArchive(account: string, timeoutMs?: number) {
    return this.unary(this.raw.deleteAccountArchive as UnaryMethod<concord.archive.v1.DeleteAccountArchiveRequest, concord.archive.v1.DeleteAccountArchiveResponse>, { account }, timeoutMs);
  }

  retractMessage(account: string, archiveId: string, timeoutMs?: number) {
    return this.unary(this.raw.retractMessage as UnaryMethod<concord.archive.v1.RetractMessageRequest, concord.archive.v1.RetractMessageResponse>, { account, archiveId }, timeoutMs);
  }

  /**
   * Opens a Sync stream after `afterPosition` (0: the whole archive). It has no deadline unless
   * given one; cancel() it to stop. Keep the `position` of the last event to resume.
   */
  sync(account: string, afterPosition = 0, timeoutMs?: number): ClientReadableStream<SyncEvent> {
    return this.raw.sync({ account, afterPosition }, this.metadata(), timeoutMs === undefined ? {} : this.options(timeoutMs));
  }

  close(): void {
    this.raw.close();
  }
}
