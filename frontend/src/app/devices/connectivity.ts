import type { DeviceCredentials, TransportPorts } from '../core/api-models';

/** A command a person can paste into a terminal to send telemetry as the device. */
export interface ConnectivityCommand {
  protocol: 'MQTT' | 'HTTP' | 'CoAP';
  tool: string;
  command: string;
}

/** What to show instead of a command, and why. */
export interface ConnectivityGuide {
  commands: ConnectivityCommand[];
  notes: string[];
}

/** Where the admin is served from: devices reach the same host. */
export interface ServerLocation {
  hostname: string;
  /** e.g. `http://edge.local:8080` */
  origin: string;
}

export const SAMPLE_TELEMETRY = '{"temperature":21}';

/** Single-quotes a word for POSIX shells (the only character needing care inside is the quote itself). */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

interface MqttBasic {
  clientId?: string;
  userName?: string;
  password?: string;
}

function mqttBasic(credentials: DeviceCredentials): MqttBasic {
  try {
    return JSON.parse(credentials.credentialsValue ?? '{}') as MqttBasic;
  } catch {
    return {};
  }
}

/**
 * The "check connectivity" commands for a device (mosquitto_pub, curl, coap-client), built from its
 * credentials, the transports the server runs, and the host the admin was opened on.
 */
export function connectivityGuide(credentials: DeviceCredentials, transports: TransportPorts, server: ServerLocation): ConnectivityGuide {
  const payload = shellQuote(SAMPLE_TELEMETRY);
  const host = server.hostname;
  const commands: ConnectivityCommand[] = [];
  const notes: string[] = [];
  const mqttPort = transports['mqtt']?.['mqtt'];
  const coapPort = transports['coap']?.['coap'];

  switch (credentials.credentialsType) {
    case 'ACCESS_TOKEN': {
      const token = credentials.credentialsId ?? '';
      const inPath = encodeURIComponent(token);
      if (mqttPort)
        commands.push({
          protocol: 'MQTT',
          tool: 'mosquitto_pub',
          command: `mosquitto_pub -d -q 1 -h ${host} -p ${mqttPort} -t v1/devices/me/telemetry -u ${shellQuote(token)} -m ${payload}`,
        });
      if (transports['http'])
        commands.push({
          protocol: 'HTTP',
          tool: 'curl',
          command: `curl -v -X POST ${shellQuote(`${server.origin}/api/v1/${inPath}/telemetry`)} -H 'Content-Type: application/json' -d ${payload}`,
        });
      if (coapPort)
        commands.push({
          protocol: 'CoAP',
          tool: 'coap-client',
          command: `coap-client -m post ${shellQuote(`coap://${host}:${coapPort}/api/v1/${inPath}/telemetry`)} -t json -e ${payload}`,
        });
      break;
    }
    case 'MQTT_BASIC': {
      const basic = mqttBasic(credentials);
      const options = [
        basic.clientId ? `-i ${shellQuote(basic.clientId)}` : '',
        basic.userName ? `-u ${shellQuote(basic.userName)}` : '',
        basic.password ? `-P ${shellQuote(basic.password)}` : '',
      ].filter(Boolean);
      if (mqttPort)
        commands.push({
          protocol: 'MQTT',
          tool: 'mosquitto_pub',
          command: `mosquitto_pub -d -q 1 -h ${host} -p ${mqttPort} -t v1/devices/me/telemetry ${options.join(' ')} -m ${payload}`,
        });
      notes.push('This device logs in with MQTT basic credentials, which only MQTT uses: HTTP and CoAP need an access token.');
      break;
    }
    case 'X509_CERTIFICATE':
      notes.push(
        'This device logs in with an X.509 certificate over MQTT with TLS: use mosquitto_pub with --cert, --key and --cafile and the MQTTS port.',
      );
      break;
    default:
      notes.push('This device uses LwM2M credentials: an LwM2M client registers with them (see the README for the LwM2M port).');
  }
  if (!mqttPort && credentials.credentialsType !== 'X509_CERTIFICATE')
    notes.push('MQTT is switched off on this server (MQTT_ENABLED=false), so there is no MQTT command.');
  if (credentials.credentialsType === 'ACCESS_TOKEN' && !coapPort) notes.push('CoAP is switched off on this server (COAP_ENABLED=false).');
  return { commands, notes };
}
