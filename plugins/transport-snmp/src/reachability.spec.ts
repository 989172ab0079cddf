import { until } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { instance, OIDS, polledDevice, profileConfiguration, telemetryQuerying } from './test-support/devices';
import { snmpTestbed } from './test-support/testbed';

const PROFILE = profileConfiguration([telemetryQuerying([{ oid: instance(OIDS.temperature), key: 't', dataType: 'LONG' }], 50)]);
const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;

/** A device is connected while its agent answers (device-api.md §5, §7); the transport keeps up with many devices. */
describe('SNMP device reachability and scale', () => {
  const testbed = snmpTestbed();
  const { agent, start } = testbed;
  const waitPolls = async (count: number) => {
    const target = testbed.transport.stats().polls + count;
    await until(() => testbed.transport.stats().polls >= target);
  };

  it('opens no session for an agent that does not answer (wrong community), says so once, and connects once fixed', async () => {
    const { port } = await agent();
    const device = polledDevice('d1', port, PROFILE, { community: 'wrong' });
    const core = await start([device]);
    await until(() => core.logged('warn', /snmp-d1 does not answer \(no answer from 127\.0\.0\.1:\d+ within 300 ms\)/).length);
    await waitPolls(4);
    expect(core.logged('warn', /does not answer/)).toHaveLength(1);
    expect(core.sessions).toEqual([]);
    expect(testbed.transport.stats()).toMatchObject({ devices: 1, answering: 0, silent: 1 });

    core.changePolledDevice({ kind: 'upserted', polled: polledDevice('d1', port, PROFILE, { community: 'public' }) });
    const session = await until(() => core.openSessionOf('d1'));
    await until(() => session.telemetry.length > 0);
    expect(core.logged('info', /snmp-d1 answers at 127\.0\.0\.1:\d+ again: session opened/)).toHaveLength(1);
  });

  it('closes the session when the agent falls silent, keeps polling, and opens a new one when it answers again', async () => {
    const first = await agent();
    const core = await start([polledDevice('d1', first.port, PROFILE)]);
    const session = await until(() => core.openSessionOf('d1'));
    await first.close();
    await until(() => session.closed);
    await waitPolls(4);
    expect(core.logged('warn', /snmp-d1 does not answer/)).toHaveLength(1);

    await agent(first.port);
    const again = await until(() => core.openSessionOf('d1'));
    expect(again).not.toBe(session);
    await until(() => again.telemetry.length > 0);
    expect(core.logged('info', /answers .* again/)).toHaveLength(1);
  });

  it('reopens a session the core timed out, as ThingsBoard re-registers it; a deleted device gets none', async () => {
    const { port } = await agent();
    const core = await start([polledDevice('d1', port, PROFILE)]);
    const session = await until(() => core.openSessionOf('d1'));
    session.closeBy('SESSION_TIMEOUT');
    const reopened = await until(() => core.openSessionOf('d1'));
    expect(reopened).not.toBe(session);
    reopened.closeBy('DEVICE_DELETED');
    await waitPolls(3);
    expect(core.openSessionOf('d1')).toBeUndefined();
  });

  it('stops polling a removed device and closes its session', async () => {
    const device = await agent();
    const core = await start([polledDevice('d1', device.port, PROFILE)]);
    const session = await until(() => core.openSessionOf('d1'));
    core.changePolledDevice({ kind: 'removed', deviceId: 'd1' });
    expect(session.closed).toBe(true);
    const received = device.received;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(device.received).toBe(received);
    expect(testbed.transport.stats().devices).toBe(0);
  });

  it('reopens the session under the new name when a device is renamed, without restarting its polling', async () => {
    const { port } = await agent();
    const device = polledDevice('d1', port, PROFILE);
    const core = await start([device]);
    const session = await until(() => core.openSessionOf('d1'));
    core.changePolledDevice({ kind: 'upserted', polled: { ...device, device: { ...device.device, deviceName: 'renamed' } } });
    expect(session.closed).toBe(true);
    const renamed = core.openSessionOf('d1')!;
    expect(renamed.device.deviceName).toBe('renamed');
    await until(() => renamed.telemetry.length > 0);
    expect(core.sessionsOf('d1')).toHaveLength(2);
  });

  it('does not start a poll while the previous one of the device is still running, and counts the skipped ones', async () => {
    const slow = await agent();
    slow.delayMs = 250;
    const profile = profileConfiguration([telemetryQuerying([{ oid: instance(OIDS.temperature), key: 't' }], 50)], {
      timeoutMs: 1000,
      retries: 0,
    });
    const core = await start([polledDevice('d1', slow.port, profile)]);
    const session = await until(() => core.openSessionOf('d1'));
    await until(() => session.telemetry.length >= 3, 10_000);
    const stats = testbed.transport.stats();
    expect(stats.skippedPolls).toBeGreaterThan(stats.polls);
    // One request per started poll, never two at once for the device.
    expect(slow.received).toBeLessThanOrEqual(stats.polls);
    expect(stats.failedPolls).toBe(0);
  }, 15_000);

  it('polls many devices through one UDP socket, never more requests at once than allowed', async () => {
    const started = await Promise.all(Array.from({ length: 20 }, () => agent()));
    for (const a of started) a.delayMs = 30;
    await new Promise((resolve) => setTimeout(resolve, 100)); // sockets of earlier tests finish closing
    const before = udpSockets();
    const core = await start(
      started.map((a, i) => polledDevice(`d${i}`, a.port, PROFILE)),
      { maxConcurrentRequests: 3 },
    );
    expect(udpSockets()).toBe(before + 1);
    let mostInFlight = 0;
    let mostWaiting = 0;
    await until(() => {
      const { requestsInFlight, requestsWaiting } = testbed.transport.stats();
      mostInFlight = Math.max(mostInFlight, requestsInFlight);
      mostWaiting = Math.max(mostWaiting, requestsWaiting);
      return started.every((_, i) => core.openSessionOf(`d${i}`)?.telemetry.length);
    }, 10_000);
    expect(mostInFlight).toBe(3);
    expect(mostWaiting).toBeGreaterThan(0);
    expect(udpSockets()).toBe(before + 1);
  }, 15_000);
});
