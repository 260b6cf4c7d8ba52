import { status, type Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Caller, CallerRegistry } from './callers';
import { ApiError } from './errors';

type AuthContext = ReturnType<ServerUnaryCall<unknown, unknown>['getAuthContext']>;

const BEARER = /^Bearer\s+(\S+)$/i;

function certificateName(auth: AuthContext): string | undefined {
  const cn = auth.sslPeerCertificate?.subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

/**
 * The caller of a request: a bearer token in the `authorization` metadata wins; otherwise
 * the CN of the client certificate (which the TLS layer has verified against the client CA).
 */
export function authenticate(metadata: Metadata, auth: AuthContext, callers: CallerRegistry): Caller {
  if (callers.empty) throw new ApiError(status.UNAUTHENTICATED, 'no API callers are configured on this server (CONCORD_ARCHIVE_GRPC_CALLERS)');
  const header = metadata.get('authorization')[0];
  if (header !== undefined) {
    const m = BEARER.exec(String(header));
    if (!m) throw new ApiError(status.UNAUTHENTICATED, 'authorization must be "Bearer <token>"');
    const caller = callers.byToken(m[1]!);
    if (!caller) throw new ApiError(status.UNAUTHENTICATED, 'unknown bearer token');
    return caller;
  }
  const cn = certificateName(auth);
  if (cn !== undefined) {
    const caller = callers.byCertificateName(cn);
    if (!caller) throw new ApiError(status.UNAUTHENTICATED, `client certificate ${JSON.stringify(cn)} is not a configured caller`);
    return caller;
  }
  throw new ApiError(status.UNAUTHENTICATED, 'missing credentials: send "authorization: Bearer <token>" or a client certificate');
}
