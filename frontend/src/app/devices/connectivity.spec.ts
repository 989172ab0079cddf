import { describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../core/api-models';
import { connectivityGuide, shellQuote } from './connectivity';

const server = { hostname: 'edge.local', origin: 'http://edge.local:8080' };
const token = (credentialsId: string): DeviceCredentials => ({
  id: { id: 'c1' },
  deviceId: { entityType: 'DEVICE', id: 'd1' },
  credentialsType: 'ACCESS_TOKEN',
  credentialsId,
  credentialsValue: null,
});

describe('connectivityGuide', () => {
  it('gives mosquitto_pub, curl and coap-client commands with the token, the host and the ports the server uses', () => {
    const guide = connectivityGuide(token('A1_TEST_TOKEN'), { mqtt: { mqtt: 1884 }, http: {}, coap: { coap: 5699 } }, server);
    expect(guide.commands.map((c) => c.command)).toEqual([
      `mosquitto_pub -d -q 1 -h edge.local -p 1884 -t v1/devices/me/telemetry -u 'A1_TEST_TOKEN' -m '{"temperature":21}'`,
      `curl -v -X POST 'http://edge.local:8080/api/v1/A1_TEST_TOKEN/telemetry' -H 'Content-Type: application/json' -d '{"temperature":21}'`,
      `coap-client -m post 'coap://edge.local:5699/api/v1/A1_TEST_TOKEN/telemetry' -t json -e '{"temperature":21}'`,
    ]);
    expect(guide.notes).toEqual([]);
  });

  it('quotes what the shell would otherwise interpret', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const [mqtt] = connectivityGuide(token('a b$c'), { mqtt: { mqtt: 1883 } }, server).commands;
    expect(mqtt.command).toContain(`-u 'a b$c'`);
  });

  it('leaves out switched-off transports and says so', () => {
    const guide = connectivityGuide(token('T'), { http: {} }, server);
    expect(guide.commands.map((c) => c.protocol)).toEqual(['HTTP']);
    expect(guide.notes.join(' ')).toMatch(/MQTT is switched off.*MQTT_ENABLED=false/);
    expect(guide.notes.join(' ')).toMatch(/COAP_ENABLED=false/);
  });

  it('uses client id, user name and password of MQTT basic credentials, and explains why HTTP and CoAP are missing', () => {
    const credentials: DeviceCredentials = {
      ...token(''),
      credentialsType: 'MQTT_BASIC',
      credentialsValue: JSON.stringify({ clientId: 'c1', userName: 'u1', password: 'p1' }),
    };
    const guide = connectivityGuide(credentials, { mqtt: { mqtt: 1883 }, http: {}, coap: { coap: 5683 } }, server);
    expect(guide.commands).toHaveLength(1);
    expect(guide.commands[0].command).toContain(`-i 'c1' -u 'u1' -P 'p1'`);
    expect(guide.notes[0]).toMatch(/HTTP and CoAP need an access token/);
  });
});
