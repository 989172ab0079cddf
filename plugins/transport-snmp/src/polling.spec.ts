import { until } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { V3_USER } from './test-support/agent';
import { instance, OIDS, polledDevice, profileConfiguration, telemetryQuerying } from './test-support/devices';
import { snmpTestbed } from './test-support/testbed';

/** Polling (device-api.md §7.1): what the core receives from a device's agent, and when the device counts as connected. */
describe('SNMP polling', () => {
  const testbed = snmpTestbed();
  const { agent, start } = testbed;

  it('opens a connection session once the agent answers and posts the mapped values, typed by dataType', async () => {
    const { port } = await agent();
    const profile = profileConfiguration([
      telemetryQuerying([
        { oid: instance(OIDS.uptime), key: 'uptime', dataType: 'LONG' },
        { oid: instance(OIDS.uptime), key: 'uptimeText', dataType: 'STRING' },
        { oid: `.${instance(OIDS.inOctets)}`, key: 'inOctets', dataType: 'LONG' },
        { oid: instance(OIDS.reading), key: 'reading', dataType: 'DOUBLE' },
        { oid: instance(OIDS.flag), key: 'flag', dataType: 'BOOLEAN' },
        { oid: instance(OIDS.big), key: 'big', dataType: 'LONG' },
        { oid: instance(OIDS.temperature), key: 'temperature' },
      ]),
      {
        spec: 'CLIENT_ATTRIBUTES_QUERYING',
        queryingFrequencyMs: 100,
        mappings: [{ oid: instance(OIDS.name), key: 'sysName', dataType: 'STRING' }],
      },
    ]);
    const core = await start([polledDevice('d1', port, profile)]);
    expect(core.watchedTransportType).toBe('SNMP');
    const session = await until(() => core.openSessionOf('d1'));
    expect([session.kind, session.attributeSubscription, session.rpcSubscription]).toEqual(['connection', true, true]);
    await until(() => session.telemetry.length >= 1 && session.attributes.length >= 1);
    // TimeTicks: the number for LONG, SNMP4J's "1 day, 0:00:01.23" for STRING; Counter64 beyond 2^53 kept exact.
    expect(session.telemetry[0]).toBe(
      '{"uptime":8640123,"uptimeText":"1 day, 0:00:01.23","inOctets":123456,"reading":21.5,"flag":true,"big":18446744073709551615,"temperature":"21"}',
    );
    expect(JSON.parse(session.attributes[0])).toEqual({ sysName: 'rack-7-switch' });
  });

  it('polls every queryingFrequencyMs and picks up new values', async () => {
    const device = await agent();
    const profile = profileConfiguration([telemetryQuerying([{ oid: instance(OIDS.temperature), key: 't', dataType: 'LONG' }], 50)]);
    const core = await start([polledDevice('d1', device.port, profile)]);
    const session = await until(() => core.openSessionOf('d1'));
    await until(() => session.telemetry.length >= 3);
    device.set('temperature', 42);
    await until(() => session.telemetry.includes('{"t":42}'));
  });

  it('skips values the agent does not have, and logs a response with nothing mapped once, not at every poll', async () => {
    const { port } = await agent();
    const partly = profileConfiguration([
      telemetryQuerying([
        { oid: instance(OIDS.missing), key: 'missing', dataType: 'LONG' },
        { oid: instance(OIDS.temperature), key: 't', dataType: 'LONG' },
      ]),
    ]);
    const nothing = profileConfiguration([telemetryQuerying([{ oid: instance(OIDS.missing), key: 'missing', dataType: 'LONG' }], 50)]);
    const core = await start([polledDevice('d1', port, partly), polledDevice('d2', port, nothing)]);
    const session = await until(() => core.openSessionOf('d1'));
    await until(() => session.telemetry.length >= 1);
    expect(session.telemetry[0]).toBe('{"t":21}');
    // d2's agent answers (noSuchInstance): connected, but nothing to post.
    const empty = await until(() => core.openSessionOf('d2'));
    await until(() => testbed.transport.stats().polls >= 10);
    expect(empty.telemetry).toEqual([]);
    expect(core.logged('warn', /snmp-d2 telemetryQuerying: No values in the response/)).toHaveLength(1);
  });

  it('fails a response with a value that does not convert, unless type-cast errors are ignored', async () => {
    const { port } = await agent();
    const profile = profileConfiguration([
      telemetryQuerying([
        { oid: instance(OIDS.name), key: 'name', dataType: 'LONG' },
        { oid: instance(OIDS.temperature), key: 't', dataType: 'LONG' },
      ]),
    ]);
    const strict = await start([polledDevice('d1', port, profile)]);
    await until(() => strict.logged('warn', /'rack-7-switch' can't be parsed as number/).length);
    expect(strict.openSessionOf('d1')!.telemetry).toEqual([]);
    await testbed.transport.stop();

    const lenient = await start([polledDevice('d1', port, profile)], { ignoreTypeCastErrors: true });
    const session = await until(() => lenient.openSessionOf('d1'));
    await until(() => session.telemetry.length >= 1);
    expect(session.telemetry[0]).toBe('{"t":21}');
  });

  it('splits more OIDs than maxRequestOids into several requests and posts them as one response', async () => {
    const device = await agent();
    const mappings = ['uptime', 'inOctets', 'temperature'].map((name) => ({
      oid: instance(OIDS[name as keyof typeof OIDS]),
      key: name,
      dataType: 'LONG',
    }));
    // The first poll comes within a second, the second a second after it: time enough to count the first one's requests.
    const core = await start([polledDevice('d1', device.port, profileConfiguration([telemetryQuerying(mappings, 1000)]))], {
      maxRequestOids: 1,
    });
    const session = await until(() => core.openSessionOf('d1'));
    await until(() => session.telemetry.length >= 1);
    expect(JSON.parse(session.telemetry[0])).toEqual({ uptime: 8640123, inOctets: 123456, temperature: 21 });
    expect(device.received).toBe(3);
  });

  it('polls SNMPv3 agents with authentication and privacy (SHA, AES)', async () => {
    const { port } = await agent();
    const profile = profileConfiguration([telemetryQuerying([{ oid: instance(OIDS.temperature), key: 't', dataType: 'LONG' }])]);
    const v3 = {
      protocolVersion: 'V3',
      username: V3_USER.name,
      securityName: V3_USER.name,
      contextName: '',
      engineId: '',
      authenticationProtocol: 'SHA_1',
      authenticationPassphrase: V3_USER.authKey,
      privacyProtocol: 'AES_128',
      privacyPassphrase: V3_USER.privKey,
    };
    const core = await start([
      polledDevice('good', port, profile, v3),
      polledDevice('bad', port, profile, { ...v3, authenticationPassphrase: 'wrong-pass' }),
    ]);
    const session = await until(() => core.openSessionOf('good'));
    await until(() => session.telemetry.length >= 1);
    expect(session.telemetry[0]).toBe('{"t":21}');
    await until(() => core.logged('warn', /snmp-bad does not answer/).length);
    expect(core.sessionsOf('bad')).toEqual([]);
  });

  it('gives a device of an SNMP profile without SNMP settings ThingsBoard defaults (localhost:161, V2C, public)', async () => {
    const profile = profileConfiguration([telemetryQuerying([{ oid: instance(OIDS.temperature), key: 't' }], 50)]);
    const device = polledDevice('d1', 1, profile);
    device.deviceTransportConfiguration = { type: 'DEFAULT' };
    const core = await start([device]);
    // Whether or not this machine runs an snmpd on 161, the device is looked for there.
    await until(
      () =>
        core.logged('warn', /snmp-d1 does not answer \(no answer from 127\.0\.0\.1:161 within 300 ms\)/).length ||
        core.logged('debug', /snmp-d1 answers at localhost:161/).length,
    );
  });

  it('leaves a device with an unusable configuration alone and says what to fix', async () => {
    const profile = profileConfiguration([{ spec: 'TELEMETRY_QUERYING', queryingFrequencyMs: 0, mappings: [{ oid: '1.3.6', key: 'k' }] }]);
    const core = await start([polledDevice('d1', 1, profile)]);
    expect(
      core.logged('warn', /snmp-d1 is not polled: .*communicationConfigs\[0\]\.queryingFrequencyMs must be a whole number/),
    ).toHaveLength(1);
    expect(core.sessions).toEqual([]);
  });
});
