/** A throwaway PKI made with the `openssl` CLI: a CA, a server certificate for 127.0.0.1, and device certificates. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  device: DeviceCertificate;
  /** Signed by the CA, valid only on 1–2 January 2020. */
  expiredDevice: DeviceCertificate;
  remove(): void;
}

export interface DeviceCertificate {
  cert: Buffer;
  key: Buffer;
  /** The Base64 body between the PEM armour lines: what the core looks the device up by (§0.4). */
  body: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'edgewise-mqtt-pki-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

  openssl('req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Edgewise Test CA', '-days', '2');
  const request = (name: string, subject: string) =>
    openssl('req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);

  request('server', '/CN=localhost');
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  );

  request('device', '/CN=device-1');
  openssl('x509', '-req', '-in', 'device.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'device.pem');

  // `openssl x509` cannot back-date; `openssl ca` can, with a minimal CA database.
  request('expired', '/CN=expired-device');
  writeFileSync(path('index.txt'), '');
  writeFileSync(path('serial'), '1000\n');
  writeFileSync(
    path('ca.cnf'),
    '[ca]\ndefault_ca=test\n[test]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=any\n[any]\ncommonName=supplied\n',
  );
  openssl(
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'ca.pem',
    '-keyfile',
    'ca.key',
    '-in',
    'expired.csr',
    '-out',
    'expired.pem',
    '-notext',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
  );

  const deviceCertificate = (name: string): DeviceCertificate => {
    const cert = readFileSync(path(`${name}.pem`));
    return { cert, key: readFileSync(path(`${name}.key`)), body: pemBody(cert.toString()) };
  };
  return {
    caFile: path('ca.pem'),
    serverCertFile: path('server.pem'),
    serverKeyFile: path('server.key'),
    device: deviceCertificate('device'),
    expiredDevice: deviceCertificate('expired'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s/g, '');
}
