import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  selfSigned: boolean;
}

/**
 * The configured certificate, or a fresh self-signed one for the domain (local use only:
 * clients must be told to accept it). Made with the system's openssl, in memory.
 */
export function loadTlsMaterial(domain: string, certFile: string, keyFile: string): TlsMaterial {
  if (certFile || keyFile) {
    if (!certFile || !keyFile) throw new Error('set both CONCORD_TLS_CERT_FILE and CONCORD_TLS_KEY_FILE, or neither');
    return { cert: readFileSync(certFile), key: readFileSync(keyFile), selfSigned: false };
  }
  const dir = mkdtempSync(join(tmpdir(), 'concord-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '365',
      '-subj', `/CN=${domain}`, '-addext', `subjectAltName=DNS:${domain},DNS:*.${domain}`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')), selfSigned: true };
  } catch (err) {
    throw new Error(`could not make a self-signed certificate with openssl (${(err as Error).message}); set CONCORD_TLS_CERT_FILE and CONCORD_TLS_KEY_FILE`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
