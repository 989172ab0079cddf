import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';
import { clientAttributesOnceStored, eventually, serverAttributes } from './support/rest-checks';

const run = promisify(execFile);

/** OIDs of Debian's snmpd (numeric: Debian ships no MIBs, peers.md §1); LEVEL is the test-controlled integer of pass.sh. */
const OID = {
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysContact: '1.3.6.1.2.1.1.4.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
  ifInOctetsLo: '1.3.6.1.2.1.2.2.1.10.1',
  level: '1.3.6.1.4.1.99999.1.0',
};

const PROFILE = {
  type: 'SNMP',
  timeoutMs: 500,
  retries: 1,
  communicationConfigs: [
    {
      spec: 'TELEMETRY_QUERYING',
      queryingFrequencyMs: 1000,
      mappings: [
        { oid: OID.sysUpTime, key: 'uptime', dataType: 'LONG' },
        { oid: `.${OID.ifInOctetsLo}`, key: 'ifInOctets', dataType: 'LONG' },
        { oid: OID.level, key: 'level', dataType: 'LONG' },
        { oid: OID.sysLocation, key: 'location', dataType: 'STRING' },
      ],
    },
    { spec: 'CLIENT_ATTRIBUTES_QUERYING', queryingFrequencyMs: 1000, mappings: [{ oid: OID.sysName, key: 'sysName', dataType: 'STRING' }] },
    { spec: 'SHARED_ATTRIBUTES_SETTING', mappings: [{ oid: OID.sysContact, key: 'contact', dataType: 'STRING' }] },
    {
      spec: 'TO_DEVICE_RPC_REQUEST',
      mappings: [
        { oid: OID.sysLocation, key: 'location', dataType: 'STRING' },
        { oid: OID.level, key: 'level', dataType: 'LONG' },
      ],
    },
  ],
};

/** A free UDP port on loopback for snmpd (bound and released: nothing else on this machine picks ports this way). */
const freeUdpPort = () =>
  new Promise<number>((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });

/**
 * Debian's snmpd as the SNMP device (device-api.md §7): the product polls it, turns what it answers into telemetry
 * and client attributes, marks the device connected while it answers, and sets values on it through RPC and shared
 * attributes — checked with Debian's snmpget.
 */
describe('SNMP with Debian snmpd', () => {
  let product: Product;
  let rest: RestClient;
  let dir: string;
  let agent: string;
  let snmpd: ChildProcess;
  let profileId: string;
  let sequence = 0;

  /** The value as snmpget prints it with -Oqv, strings without their quotes. */
  const snmpget = async (oid: string, community = 'public') => {
    const { stdout } = await run('snmpget', ['-v2c', '-c', community, '-Oqv', '-r0', '-t1', agent, oid], { env: snmpEnv() });
    return stdout.trim().replace(/^"(.*)"$/, '$1');
  };
  const snmpEnv = () => ({ ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'state'), MIBS: '' });

  const createDevice = async (transportConfiguration: Record<string, unknown>) => {
    const name = `snmpd-device-${++sequence}`;
    const port = Number(agent.split(':')[1]);
    const res = await rest.request('POST', '/api/device', {
      name,
      deviceProfileId: { entityType: 'DEVICE_PROFILE', id: profileId },
      deviceData: {
        configuration: { type: 'DEFAULT' },
        transportConfiguration: {
          type: 'SNMP',
          host: '127.0.0.1',
          port,
          protocolVersion: 'V2C',
          community: 'public',
          ...transportConfiguration,
        },
      },
    });
    if (res.status !== 200) throw new Error(`creating ${name} failed: ${res.status} ${res.text}`);
    return res.body;
  };
  const latest = async (deviceId: string) =>
    (await rest.request('GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?useStrictDataTypes=true`)).body;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgewise-snmpd-'));
    mkdirSync(join(dir, 'state'));
    writeFileSync(join(dir, 'value.txt'), '21\n');
    // peers.md §1: a test-controlled INTEGER at .1.3.6.1.4.1.99999.1.0, backed by value.txt; SET writes the file.
    writeFileSync(
      join(dir, 'pass.sh'),
      [
        '#!/bin/sh',
        'BASE=.1.3.6.1.4.1.99999.1; OID=$BASE.0; F="$(dirname "$0")/value.txt"',
        'case "$1" in',
        '  -g) [ "$2" = "$OID" ] || exit 0; echo "$OID"; echo integer; cat "$F" ;;',
        '  -n) case "$2" in $BASE|$BASE.*) [ "$2" = "$OID" ] && exit 0 ;; *) exit 0 ;; esac',
        '      echo "$OID"; echo integer; cat "$F" ;;',
        '  -s) [ "$2" = "$OID" ] || { echo not-writable; exit 0; }',
        '      [ "$3" = integer ] || { echo wrong-type; exit 0; }',
        '      echo "$4" > "$F" ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(join(dir, 'pass.sh'), 0o755);
    const port = await freeUdpPort();
    agent = `127.0.0.1:${port}`;
    writeFileSync(
      join(dir, 'snmpd.conf'),
      [
        `agentaddress udp:${agent}`,
        `[snmp] persistentDir ${join(dir, 'state')}`,
        'rocommunity public 127.0.0.1',
        'rwcommunity private 127.0.0.1',
        'createUser iotv3 SHA "authpass123" AES "privpass123"',
        'rwuser iotv3 priv',
        `pass .1.3.6.1.4.1.99999.1 /bin/sh ${join(dir, 'pass.sh')}`,
        '',
      ].join('\n'),
    );
    snmpd = spawn('snmpd', ['-f', '-C', '-c', join(dir, 'snmpd.conf'), '-Lf', join(dir, 'snmpd.log'), '-p', join(dir, 'snmpd.pid')], {
      env: snmpEnv(),
      stdio: 'ignore',
    });
    const up = await eventually(
      () =>
        snmpget(OID.sysUpTime).then(
          () => true,
          () => false,
        ),
      (answered) => answered,
      10_000,
    );
    if (!up) throw new Error(`snmpd did not answer on ${agent}: ${readFileSync(join(dir, 'snmpd.log'), 'utf8')}`);

    product = await startProduct({
      SNMP_HOST: '127.0.0.1',
      // A device that stops answering becomes inactive within seconds, not the default ten minutes.
      DEVICE_INACTIVITY_TIMEOUT_MS: '4000',
      DEVICE_STATE_CHECK_INTERVAL_MS: '500',
    });
    rest = await restClient(product.url);
    const profile = await rest.request('POST', '/api/deviceProfile', {
      name: 'snmpd profile',
      type: 'DEFAULT',
      transportType: 'SNMP',
      profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: PROFILE },
    });
    if (profile.status !== 200) throw new Error(`creating the SNMP profile failed: ${profile.status} ${profile.text}`);
    profileId = profile.body.id.id;
  });

  afterAll(async () => {
    await product?.stop();
    if (snmpd && snmpd.exitCode === null) {
      snmpd.kill();
      await new Promise((resolve) => snmpd.once('exit', resolve));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts the snmp transport on a port of its own', () => {
    expect(product.ports.snmp.snmp).toBeGreaterThan(0);
  });

  it('turns what snmpd answers into telemetry and client attributes, and the device is active', async () => {
    const { id } = await createDevice({});
    const deviceId = id.id;
    const values = await eventually(
      () => latest(deviceId),
      (body) => body?.level !== undefined,
    );
    expect(values.uptime[0].value).toBeGreaterThan(0);
    expect(typeof values.ifInOctets[0].value).toBe('number');
    expect(values.level[0].value).toBe(21);
    const attributes = await clientAttributesOnceStored(rest, deviceId, 'sysName');
    expect(attributes.find((a) => a.key === 'sysName')?.value).toBe(await snmpget(OID.sysName));
    expect(await serverAttributes(rest, deviceId)).toMatchObject({ active: true, lastConnectTime: expect.any(Number) });

    // The next polls carry what snmpd says now. (snmpd keeps answering a pass script's first value, so the
    // change is made over SNMP.)
    await run('snmpset', ['-v2c', '-c', 'private', '-r0', '-t1', agent, OID.sysLocation, 's', 'hall-3'], { env: snmpEnv() });
    const changed = await eventually(
      () => latest(deviceId),
      (body) => body?.location?.[0]?.value === 'hall-3',
    );
    expect(changed.location[0].value).toBe('hall-3');
  });

  it('polls snmpd over SNMPv3 with authentication and privacy (SHA, AES)', async () => {
    const { id } = await createDevice({
      protocolVersion: 'V3',
      community: undefined,
      username: 'iotv3',
      securityName: 'iotv3',
      contextName: '',
      engineId: '',
      authenticationProtocol: 'SHA_1',
      authenticationPassphrase: 'authpass123',
      privacyProtocol: 'AES_128',
      privacyPassphrase: 'privpass123',
    });
    const values = await eventually(
      () => latest(id.id),
      (body) => body?.uptime !== undefined,
    );
    expect(values.uptime[0].value).toBeGreaterThan(0);
  });

  it('makes a device inactive once snmpd stops answering it (wrong community), and polls on', async () => {
    const device = await createDevice({});
    await eventually(
      () => latest(device.id.id),
      (body) => body?.uptime !== undefined,
    );
    expect((await serverAttributes(rest, device.id.id)).active).toBe(true);
    const wrong = { ...device.deviceData.transportConfiguration, community: 'not-the-community' };
    const updated = await rest.request('POST', '/api/device', {
      ...device,
      deviceData: { ...device.deviceData, transportConfiguration: wrong },
    });
    expect(updated.status).toBe(200);
    const state = await eventually(
      () => serverAttributes(rest, device.id.id),
      (s) => s.active === false,
      20_000,
    );
    expect(state).toMatchObject({ active: false, lastDisconnectTime: expect.any(Number), inactivityAlarmTime: expect.any(Number) });
    const stopped = (await latest(device.id.id)).uptime[0].ts;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await latest(device.id.id)).uptime[0].ts).toBe(stopped);

    // Fixed again: it answers, and is active again.
    const fixed = await rest.request('POST', '/api/device', { ...updated.body, deviceData: device.deviceData });
    expect(fixed.status).toBe(200);
    await eventually(
      () => serverAttributes(rest, device.id.id),
      (s) => s.active === true,
      10_000,
    );
  });

  it('sets a writable OID on snmpd through a REST RPC, and the caller gets what snmpd confirmed', async () => {
    const { id } = await createDevice({ community: 'private' });
    await eventually(
      () => serverAttributes(rest, id.id),
      (state) => state.active === true,
    );
    const rpc = (params: Record<string, unknown>) =>
      rest.request('POST', `/api/rpc/twoway/${id.id}`, { method: 'SET', params, timeout: 10_000 });

    const location = await rpc({ key: 'location', value: 'lab-rack-7' });
    expect([location.status, location.body]).toEqual([200, { location: 'lab-rack-7' }]);
    expect(await snmpget(OID.sysLocation)).toBe('lab-rack-7');

    const level = await rpc({ key: 'level', value: '55' });
    expect([level.status, level.body]).toEqual([200, { level: 55 }]);
    expect(readFileSync(join(dir, 'value.txt'), 'utf8').trim()).toBe('55');
    writeFileSync(join(dir, 'value.txt'), '21\n');

    const get = await rest.request('POST', `/api/rpc/twoway/${id.id}`, { method: 'GET', params: { key: 'location' } });
    expect([get.status, get.body]).toEqual([200, { location: 'lab-rack-7' }]);
  });

  it('sets a shared attribute with a mapping on snmpd', async () => {
    const { id } = await createDevice({ community: 'private' });
    await eventually(
      () => serverAttributes(rest, id.id),
      (state) => state.active === true,
    );
    const saved = await rest.request('POST', `/api/plugins/telemetry/DEVICE/${id.id}/SHARED_SCOPE`, { contact: 'ops@example.test' });
    expect(saved.status).toBe(200);
    const contact = await eventually(
      () => snmpget(OID.sysContact),
      (value) => value === 'ops@example.test',
    );
    expect(contact).toBe('ops@example.test');
  });

  it('refuses an SNMP device without a host or with an unknown SNMP version, naming the field', async () => {
    const port = Number(agent.split(':')[1]);
    const noHost = await rest.request('POST', '/api/device', {
      name: 'snmpd-broken',
      deviceProfileId: { entityType: 'DEVICE_PROFILE', id: profileId },
      deviceData: { transportConfiguration: { type: 'SNMP', host: ' ', port, protocolVersion: 'V2C', community: 'public' } },
    });
    expect([noHost.status, noHost.body.message]).toEqual([
      400,
      expect.stringMatching(/^deviceData\.transportConfiguration\.host is required/),
    ]);
    const badVersion = await rest.request('POST', '/api/device', {
      name: 'snmpd-broken',
      deviceProfileId: { entityType: 'DEVICE_PROFILE', id: profileId },
      deviceData: { transportConfiguration: { type: 'SNMP', host: '127.0.0.1', port, protocolVersion: 'V4', community: 'public' } },
    });
    expect(badVersion.body.message).toMatch(/protocolVersion must be one of V1, V2C, V3 \(got "V4"\)/);
  });
});
