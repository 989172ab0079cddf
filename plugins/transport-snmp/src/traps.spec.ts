import { until } from '@edgewise/plugin-api/testing';
import * as snmp from 'net-snmp';
import { afterEach, describe, expect, it } from 'vitest';
import { polledDevice, profileConfiguration } from './test-support/devices';
import { snmpTestbed } from './test-support/testbed';

const TRAPS = {
  spec: 'TO_SERVER_RPC_REQUEST',
  mappings: [
    { oid: '1.3.6.1.6.3.1.1.4.1.0', key: 'trapOid', dataType: 'STRING' },
    { oid: '1.3.6.1.4.1.99999.9.1', key: 'level', dataType: 'LONG' },
  ],
};
const LINK_DOWN = '1.3.6.1.6.3.1.1.5.3';

/** Traps to the manager's port become device-to-server RPCs `TRAP` (device-api.md §7.1, TO_SERVER_RPC_REQUEST). */
describe('SNMP traps', () => {
  const testbed = snmpTestbed();
  const { start } = testbed;
  const senders: snmp.Session[] = [];
  afterEach(() => {
    for (const sender of senders.splice(0)) sender.close();
  });
  /** An SNMPv2c trap from 127.0.0.1 to the transport's port. */
  const sendTrap = (varbinds: snmp.Varbind[], version: 0 | 1 = snmp.Version2c) =>
    new Promise<void>((resolve, reject) => {
      const sender = snmp.createSession('127.0.0.1', 'any-community', { version, trapPort: testbed.transport.boundPorts().snmp });
      senders.push(sender);
      sender.trap(LINK_DOWN, varbinds, (error) => (error ? reject(error) : resolve()));
    });

  it('hands a trap from the device address to the rule engine as RPC TRAP with the mapped values, and connects the device', async () => {
    // A trap-only profile: nothing polled, so the session is open from the start.
    const core = await start([polledDevice('d1', 161, profileConfiguration([TRAPS]))]);
    const session = await until(() => core.openSessionOf('d1'));
    await sendTrap([
      { oid: '1.3.6.1.4.1.99999.9.1', type: snmp.ObjectType.Integer, value: 7 },
      { oid: '1.3.6.1.4.1.99999.9.2', type: snmp.ObjectType.OctetString, value: 'unmapped' },
    ]);
    await until(() => session.clientRpcCalls.length);
    expect(JSON.parse(session.clientRpcCalls[0])).toEqual({ method: 'TRAP', params: { trapOid: LINK_DOWN, level: 7 } });
    expect(testbed.transport.stats()).toMatchObject({ traps: 1, unattributedTraps: 0 });
  });

  it('drops a trap whose address several devices share, saying so on each, and one from an address nobody polls', async () => {
    const profile = profileConfiguration([TRAPS]);
    const core = await start([polledDevice('a', 161, profile), polledDevice('b', 1161, profile)]);
    await until(() => core.openSessionOf('a') && core.openSessionOf('b'));
    await sendTrap([{ oid: '1.3.6.1.4.1.99999.9.1', type: snmp.ObjectType.Integer, value: 1 }]);
    await until(() => core.logged('warn', /toServerRpcRequest: Found multiple devices for host 127\.0\.0\.1/).length === 2);
    expect(core.sessions.flatMap((s) => s.clientRpcCalls)).toEqual([]);
    expect(testbed.transport.stats()).toMatchObject({ traps: 0, unattributedTraps: 1 });
  });

  it('reports a trap from a device whose profile maps no trap OIDs', async () => {
    const core = await start([polledDevice('d1', 161, profileConfiguration([]))]);
    const session = await until(() => core.openSessionOf('d1'));
    await sendTrap([{ oid: '1.3.6.1.4.1.99999.9.1', type: snmp.ObjectType.Integer, value: 1 }], snmp.Version1);
    await until(
      () =>
        core.logged('warn', /snmp-d1 toServerRpcRequest: sent a trap, but the device profile has no TO_SERVER_RPC_REQUEST mappings/).length,
    );
    expect(session.clientRpcCalls).toEqual([]);
  });
});
