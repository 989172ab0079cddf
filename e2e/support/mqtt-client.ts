import mqtt, { IClientOptions, MqttClient } from 'mqtt';

/** mqtt.js connected to the product; rejects with the CONNACK refusal when the server refuses. */
export function connectMqtt(port: number, options: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({ host: '127.0.0.1', port, reconnectPeriod: 0, connectTimeout: 5000, ...options });
    client.once('connect', () => resolve(client));
    client.once('error', (e) => {
      client.end(true);
      reject(e);
    });
  });
}

/** The CONNACK return code (3.1.1) or reason code (5) of a refused CONNECT. */
export async function refusalCode(port: number, options: IClientOptions): Promise<number> {
  try {
    const client = await connectMqtt(port, options);
    client.end(true);
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
  throw new Error('the server accepted the connection');
}

/** The next message on `topic` (exact match), as text. */
export function nextMessage(client: MqttClient, topic: string | RegExp, timeoutMs = 5000): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (received: string, payload: Buffer) => {
      if (typeof topic === 'string' ? received !== topic : !topic.test(received)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic: received, payload: payload.toString() });
    };
    client.on('message', onMessage);
  });
}

/** Resolves true when the server closes the connection within `timeoutMs`. */
export function closedByServer(client: MqttClient, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
