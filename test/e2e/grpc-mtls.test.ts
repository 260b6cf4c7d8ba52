/**
 * The archive API over TLS with client certificates (docs/grpc.md): a caller is identified by
 * its certificate's CN when it sends no token; unknown or unsigned certificates are refused.
 * Certificates are made with openssl for this test; the archive runs on the real stack.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { ArchiveClient } from '@concord/archive-client-example';
import { startConcord, type RunningConcord } from '../support/concord';
import { apiAddress } from '../support/archive-api';
import { requireStack } from '../support/stack';

const OPS_TOKEN = 'ops-token-5a6b7c8d9e0f1a2b';

/** A throw-away CA, a server certificate for 127.0.0.1, and client certificates by CN. */
function makeCertificates(dir: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=archive-test-ca', '-days', '1');
  const issue = (name: string, cn: string, ext?: string) => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    if (ext) writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...(ext ? ['-extfile', `${name}.ext`] : []));
  };
  issue('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  issue('billing', 'billing');
  issue('stranger', 'stranger');
  ssl('req', '-x509', ...ec, '-keyout', 'rogue.key', '-out', 'rogue.crt', '-subj', '/CN=billing', '-days', '1');
  const read = (f: string) => readFileSync(join(dir, f));
  return { ca: read('ca.crt'), client: (name: string) => ({ ca: read('ca.crt'), cert: read(`${name}.crt`), key: read(`${name}.key`) }) };
}

describe('gRPC archive API with mTLS', () => {
  requireStack();
  let concord: RunningConcord;
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  const account = () => `alice@${concord.domain}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archive-mtls-'));
    certs = makeCertificates(dir);
    concord = await startConcord('grpcmtls', {
      CONCORD_ARCHIVE_GRPC_TLS_CERT_FILE: join(dir, 'server.crt'),
      CONCORD_ARCHIVE_GRPC_TLS_KEY_FILE: join(dir, 'server.key'),
      CONCORD_ARCHIVE_GRPC_TLS_CLIENT_CA_FILE: join(dir, 'ca.crt'),
      CONCORD_ARCHIVE_GRPC_CALLERS: `billing:Query,ops:*:${OPS_TOKEN}`,
    });
  }, 60_000);

  afterAll(async () => {
    await concord?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // By name, as the server certificate says (TLS server names are never IP addresses).
  const address = () => apiAddress(concord).replace('127.0.0.1', 'localhost');
  const client = (name: string, token?: string) => new ArchiveClient({ address: address(), tls: certs.client(name), ...(token ? { token } : {}) });
  const attempt = async <T>(c: ArchiveClient, call: (c: ArchiveClient) => Promise<T>) => {
    try {
      return await call(c);
    } finally {
      c.close();
    }
  };

  it('identifies a caller by its certificate and applies its allowed methods', async () => {
    expect((await attempt(client('billing'), (c) => c.query({ account: account() }))).messages).toEqual([]);
    await expect(attempt(client('billing'), (c) => c.listConversations(account()))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
  });

  it('refuses a certificate of no configured caller, and lets a token speak for the call', async () => {
    await expect(attempt(client('stranger'), (c) => c.query({ account: account() }))).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    expect((await attempt(client('stranger', OPS_TOKEN), (c) => c.listConversations(account()))).conversations).toEqual([]);
  });

  it('does not let a client in without a certificate signed by the client CA', async () => {
    const noCert = new ArchiveClient({ address: address(), tls: { ca: certs.ca }, token: OPS_TOKEN, timeoutMs: 3_000 });
    await expect(attempt(noCert, (c) => c.query({ account: account() }))).rejects.toMatchObject({ code: status.UNAVAILABLE });
    await expect(attempt(client('rogue'), (c) => c.query({ account: account() }, 3_000))).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});
