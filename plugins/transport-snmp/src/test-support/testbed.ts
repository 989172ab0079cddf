/** What an SNMP transport test starts: agents with the test scalars and the transport on a fake core, stopped after each test. */
import type { PolledDevice } from '@edgewise/plugin-api';
import { FakeTransportCore } from '@edgewise/plugin-api/testing';
import { afterEach } from 'vitest';
import type { SnmpOptions } from '../options';
import { SnmpTransport } from '../snmp-transport';
import { startAgent, type TestAgent } from './agent';
import { scalars } from './devices';

/** Call in a `describe`: registers the clean-up of everything the returned functions start. */
export function snmpTestbed() {
  const agents: TestAgent[] = [];
  let running: SnmpTransport | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await Promise.all(agents.splice(0).map((agent) => agent.close()));
  });

  return {
    /** An agent with the test scalars; `port`: a fixed one (to bring an agent back where a device expects it). */
    async agent(port?: number): Promise<TestAgent> {
      const started = await startAgent(scalars(), port);
      agents.push(started);
      return started;
    },
    /** Starts the transport (stats logging off) on a fake core that lists `devices`; a transport started before is replaced. */
    async start(devices: PolledDevice[], options: Partial<SnmpOptions> = {}): Promise<FakeTransportCore> {
      const core = new FakeTransportCore();
      core.polledDevices.push(...devices);
      running = new SnmpTransport(core, {
        host: '127.0.0.1',
        ports: { snmp: 0 },
        maxPayloadBytes: 65_507,
        options: { statsIntervalMs: 0, ...options },
      });
      await running.start();
      return core;
    },
    /** The transport started last. */
    get transport(): SnmpTransport {
      if (!running) throw new Error('no SNMP transport was started');
      return running;
    },
  };
}
