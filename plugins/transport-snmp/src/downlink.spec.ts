import { type FakeDeviceSession, type FakeTransportCore, until } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import type { TestAgent } from './test-support/agent';
import { instance, OIDS, polledDevice, profileConfiguration, telemetryQuerying } from './test-support/devices';
import { snmpTestbed } from './test-support/testbed';

const POLL = telemetryQuerying([{ oid: instance(OIDS.uptime), key: 'uptime', dataType: 'LONG' }], 100);
const SHARED = {
  spec: 'SHARED_ATTRIBUTES_SETTING',
  mappings: [
    { oid: instance(OIDS.temperature), key: 'target', dataType: 'LONG' },
    { oid: instance(OIDS.location), key: 'location', dataType: 'STRING' },
  ],
};
const RPC = {
  spec: 'TO_DEVICE_RPC_REQUEST',
  mappings: [
    { oid: instance(OIDS.temperature), key: 'temperature', dataType: 'LONG' },
    { oid: instance(OIDS.location), key: 'location', dataType: 'STRING' },
    { oid: instance(OIDS.uptime), key: 'uptime', dataType: 'LONG' },
  ],
};

/** Shared attributes become SETs, server RPCs GETs and SETs (device-api.md §7.1, §7.3). */
describe('SNMP SET and RPC', () => {
  const testbed = snmpTestbed();
  let agent: TestAgent;

  /** A device whose agent answered: its session is open, so the core can push to it. */
  const connected = async (
    configs: Record<string, unknown>[],
    community = 'private',
  ): Promise<{ core: FakeTransportCore; session: FakeDeviceSession }> => {
    agent = await testbed.agent();
    // Without querying configs the session opens at once; with one, after the first answer.
    const core = await testbed.start([polledDevice('d1', agent.port, profileConfiguration(configs), { community })]);
    const session = await until(() => core.openSessionOf('d1'));
    return { core, session };
  };

  it('sets updated shared attributes that have a mapping in one SET, integers as INTEGER and the rest as text', async () => {
    const { session } = await connected([SHARED]);
    session.pushAttributes('{"target":30,"location":"rack 9","unmapped":1}');
    await until(() => agent.get('location') === 'rack 9');
    expect(agent.get('temperature')).toBe(30);
    expect(agent.received).toBe(1);
    await until(() => session.activityReports > 0);
  });

  it('sends nothing for deleted shared attributes or keys without a mapping', async () => {
    const { session } = await connected([SHARED]);
    session.pushAttributes('{"deleted":["target"]}');
    session.pushAttributes('{"other":5}');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(agent.received).toBe(0);
  });

  it('logs a refused SET once and keeps the device connected', async () => {
    const { core, session } = await connected([SHARED], 'public');
    session.pushAttributes('{"target":31}');
    await until(() => core.logged('warn', /snmp-d1 sharedAttributesSetting: 127\.0\.0\.1:\d+ refused the request: NoAccess/).length);
    expect(agent.get('temperature')).toBe(21);
    expect(session.closed).toBe(false);
  });

  it('answers an RPC GET with the value typed by its mapping', async () => {
    const { session } = await connected([RPC]);
    await session.pushRpc({ id: 7, method: 'GET', params: { key: 'temperature' } });
    await until(() => session.serverRpcReplies.length);
    expect(session.serverRpcReplies).toEqual([{ requestId: 7, payload: '{"temperature":21}' }]);
  });

  it('answers an RPC SET with what the agent confirms, and the agent has the new value', async () => {
    const { session } = await connected([POLL, RPC]);
    await session.pushRpc({ id: 3, method: 'SET', params: { key: 'location', value: 'ops room' } });
    await until(() => session.serverRpcReplies.length);
    expect(session.serverRpcReplies).toEqual([{ requestId: 3, payload: '{"location":"ops room"}' }]);
    expect(agent.get('location')).toBe('ops room');
    await session.pushRpc({ id: 4, method: 'SET', params: { key: 'temperature', value: 19 } });
    await until(() => session.serverRpcReplies.length === 2);
    expect(session.serverRpcReplies[1]).toEqual({ requestId: 4, payload: '{"temperature":19}' });
  });

  it('answers an RPC the agent refuses with the reason', async () => {
    const { session } = await connected([RPC]);
    await session.pushRpc({ id: 5, method: 'SET', params: { key: 'uptime', value: '5' } });
    await until(() => session.serverRpcReplies.length);
    expect(JSON.parse(session.serverRpcReplies[0].payload)).toEqual({
      error: expect.stringMatching(/refused the request: .*1\.3\.6\.1\.2\.1\.1\.3\.0/),
    });
  });

  it('sends no reply to a one-way RPC', async () => {
    const { session } = await connected([RPC]);
    await session.pushRpc({ id: 6, method: 'SET', params: { key: 'location', value: 'x' }, oneway: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(agent.get('location')).toBe('x');
    expect(session.serverRpcReplies).toEqual([]);
  });

  it('refuses RPCs it cannot send (unknown method or key, SET without value, no RPC mappings) and sends nothing', async () => {
    const { session } = await connected([RPC]);
    await expect(session.pushRpc({ method: 'WALK', params: { key: 'temperature' } })).rejects.toThrow(/the method must be GET or SET/);
    await expect(session.pushRpc({ method: 'get', params: { key: 'temperature' } })).rejects.toThrow(/GET or SET/);
    await expect(session.pushRpc({ method: 'GET', params: { key: 'nope' } })).rejects.toThrow(
      /no TO_DEVICE_RPC_REQUEST mapping has the key "nope"/,
    );
    await expect(session.pushRpc({ method: 'SET', params: { key: 'location' } })).rejects.toThrow(/a SET needs params.value/);
    await expect(session.pushRpc({ method: 'GET', params: 'temperature' })).rejects.toThrow(/params must be an object/);
    await testbed.transport.stop();
    await agent.close();
    const { session: withoutRpc } = await connected([SHARED]);
    await expect(withoutRpc.pushRpc({ method: 'GET', params: { key: 'temperature' } })).rejects.toThrow(
      /has no TO_DEVICE_RPC_REQUEST mappings/,
    );
    expect(agent.received).toBe(0);
  });
});
