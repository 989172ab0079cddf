import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { connectMqtt } from './mqtt-client';
import { type Product, type RestClient, restClient, startProduct } from './product.mjs';

/** The built product as the tests of a describe block use it; read its members inside tests and hooks. */
export interface ProductFixture {
  readonly url: string;
  /** Logged in as the tenant administrator. */
  readonly rest: RestClient;
  readonly mqttPort: number;
  /** mqtt.js connected to the MQTT port (rejects with the CONNACK refusal); ended after the test. */
  connectMqtt(options?: IClientOptions): Promise<MqttClient>;
}

/** Starts the product (with `env`) before the tests of the calling describe block and stops it after them. */
export function useProduct(env: Record<string, string> = {}): ProductFixture {
  let started: { product: Product; rest: RestClient } | undefined;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    const product = await startProduct(env);
    started = { product, rest: await restClient(product.url) };
  });
  afterEach(() => clients.splice(0).forEach((client) => client.end(true)));
  afterAll(() => started?.product.stop());
  const running = () => {
    if (!started) throw new Error('the product is not started yet: use the fixture inside tests and hooks');
    return started;
  };
  return {
    get url() {
      return running().product.url;
    },
    get rest() {
      return running().rest;
    },
    get mqttPort() {
      return running().product.ports.mqtt.mqtt;
    },
    async connectMqtt(options = {}) {
      const client = await connectMqtt(running().product.ports.mqtt.mqtt, options);
      clients.push(client);
      return client;
    },
  };
}
