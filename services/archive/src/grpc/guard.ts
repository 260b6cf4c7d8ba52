import { status, type handleServerStreamingCall, type handleUnaryCall, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import type { ArchiveMethod, Caller } from './callers';
import { authenticate } from './authenticate';
import type { ApiDeps, CallContext } from './deps';
import { ApiError, statusOf } from './errors';

type AnyCall = ServerUnaryCall<{ account: string }, unknown> | ServerWritableStream<{ account: string }, unknown>;

function deadlineOf(call: AnyCall): number {
  const d = call.getDeadline();
  return d instanceof Date ? d.getTime() : d;
}

function contextOf(call: AnyCall, caller: Caller, deps: ApiDeps): CallContext {
  const deadlineMs = deadlineOf(call);
  return {
    caller: caller.name,
    deadlineMs,
    done: () => call.cancelled || deps.stopping.aborted,
    onDone(cb) {
      let called = false;
      const once = () => {
        if (!called) (called = true), cb();
      };
      call.once('cancelled', once);
      deps.stopping.addEventListener('abort', once, { once: true });
    },
  };
}

/** The caller's allowed methods, checked before any work is done. */
function authorize(caller: Caller, method: ArchiveMethod): void {
  if (!caller.methods.has(method)) throw new ApiError(status.PERMISSION_DENIED, `caller ${caller.name} is not allowed ${method}`);
}

/** The one audit line per call: caller, method, account, outcome and duration. */
function audit(deps: ApiDeps, call: AnyCall, method: ArchiveMethod, caller: Caller | undefined, code: status, startedAt: number, details?: string): void {
  // A call the client gave up on ends as the client saw it.
  if (code === status.OK && call.cancelled) code = Date.now() >= deadlineOf(call) ? status.DEADLINE_EXCEEDED : status.CANCELLED;
  deps.log.info({
    audit: 'grpc', caller: caller?.name ?? null, method, account: String(call.request?.account ?? '').slice(0, 256),
    status: status[code], code, durationMs: Math.round(performance.now() - startedAt), peer: call.getPeer(), ...(details && code !== status.OK ? { details } : {}),
  }, 'archive api call');
}

function failure(deps: ApiDeps, method: ArchiveMethod, err: unknown) {
  const s = statusOf(err);
  if (!s.expected) deps.log.error({ err: (err as Error)?.stack ?? String(err), method }, 'archive api call failed');
  else if (s.code === status.UNAVAILABLE && !(err instanceof ApiError)) deps.log.warn({ err: (err as Error)?.message, method }, 'archive api dependency unavailable');
  return s;
}

/** A unary handler behind authentication, authorization, error mapping and audit. */
export function unary<Req extends { account: string }, Res>(method: ArchiveMethod, deps: ApiDeps, handler: (req: Req, ctx: CallContext) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const startedAt = performance.now();
    let caller: Caller | undefined;
    void (async () => {
      caller = authenticate(call.metadata, call.getAuthContext(), deps.callers);
      authorize(caller, method);
      return handler(call.request, contextOf(call, caller, deps));
    })().then(
      (res) => {
        callback(null, res);
        audit(deps, call, method, caller, status.OK, startedAt);
      },
      (err: unknown) => {
        const s = failure(deps, method, err);
        callback({ code: s.code, details: s.details });
        audit(deps, call, method, caller, s.code, startedAt, s.details);
      },
    );
  };
}

/** A server-streaming handler behind the same checks; the handler writes to the call. */
export function serverStream<Req extends { account: string }, Res>(method: ArchiveMethod, deps: ApiDeps, handler: (req: Req, call: ServerWritableStream<Req, Res>, ctx: CallContext) => Promise<void>): handleServerStreamingCall<Req, Res> {
  return (call) => {
    const startedAt = performance.now();
    let caller: Caller | undefined;
    void (async () => {
      caller = authenticate(call.metadata, call.getAuthContext(), deps.callers);
      authorize(caller, method);
      await handler(call.request, call, contextOf(call, caller, deps));
    })().then(
      () => {
        if (deps.stopping.aborted && !call.cancelled) {
          const details = 'the archive is shutting down; resume from the last position received';
          call.emit('error', { code: status.UNAVAILABLE, details });
          audit(deps, call, method, caller, status.UNAVAILABLE, startedAt, details);
          return;
        }
        if (!call.cancelled) call.end();
        audit(deps, call, method, caller, status.OK, startedAt);
      },
      (err: unknown) => {
        const s = failure(deps, method, err);
        if (!call.cancelled) call.emit('error', { code: s.code, details: s.details });
        audit(deps, call, method, caller, s.code, startedAt, s.details);
      },
    );
  };
}
