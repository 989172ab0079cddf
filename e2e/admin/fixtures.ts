import { expect, Page, test as base } from '@playwright/test';
import type { MqttClient } from 'mqtt';
import { connectMqtt } from '../support/mqtt-client';
import type { Product, RestClient } from '../support/product.mjs';

/** product.mjs is an ES module and these tests are compiled to CommonJS: load it the one way that works in both. */
const productSupport = () => import('../support/product.mjs');

export { expect };

export const TENANT_ADMIN = { username: 'tenant@thingsboard.org', password: 'tenant' };
export const SYSADMIN = { username: 'sysadmin@thingsboard.org', password: 'sysadmin' };

let sequence = 0;
/** Names unique in this run, so tests sharing the product never collide. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++sequence}`;

interface WorkerFixtures {
  product: Product;
}

interface TestFixtures {
  /** REST client of the demo tenant administrator (setup and checks, as an integrator would). */
  rest: RestClient;
  /** Opens `path` logged in as `credentials` (default: the demo tenant administrator), through the login page. */
  logIn: (credentials?: { username: string; password: string }, path?: string) => Promise<Page>;
  /** mqtt.js connected as a device with this access token; disconnected after the test. */
  mqttDevice: (accessToken: string) => Promise<MqttClient>;
  /** Fails the test on any error the page logs (other than the browser's note about an HTTP error status). */
  consoleErrors: string[];
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  product: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const product = await (await productSupport()).startProduct();
      await use(product);
      await product.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],

  rest: async ({ product }, use) => {
    await use(await (await productSupport()).restClient(product.url));
  },

  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        // Chromium logs every 4xx/5xx response; the tests provoke some on purpose and check what the page shows instead.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
      await use(errors);
      expect(errors, 'errors in the browser console').toEqual([]);
    },
    { auto: true },
  ],

  logIn: async ({ page, product }, use) => {
    await use(async (credentials = TENANT_ADMIN, path = '/') => {
      await page.goto(product.url + path);
      await page.getByLabel('Email').fill(credentials.username);
      await page.getByLabel('Password').fill(credentials.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByRole('navigation', { name: 'Main navigation' })).toBeVisible();
      return page;
    });
  },

  mqttDevice: async ({ product }, use) => {
    const clients: MqttClient[] = [];
    await use(async (accessToken) => {
      const client = await connectMqtt(product.ports.mqtt.mqtt, { username: accessToken });
      clients.push(client);
      return client;
    });
    for (const client of clients) client.end(true);
  },
});

/** A device created through the REST API, with its access token. */
export async function createDevice(rest: RestClient, prefix = 'admin-e2e'): Promise<{ id: string; name: string; token: string }> {
  const name = unique(prefix);
  const token = unique('TOKEN').replace(/-/g, '_');
  const device = await rest.createDevice(name, token);
  return { id: device.id.id, name, token };
}

/** A user of `authority` invited through the REST API (no mail server: the admin hands out the activation link). */
export async function inviteUser(
  rest: RestClient,
  authority: 'TENANT_ADMIN' | 'CUSTOMER_USER',
  customerId?: string,
): Promise<{ username: string; activationLink: string }> {
  const username = `${unique(authority.toLowerCase())}@example.com`;
  const created = await rest.request('POST', '/api/user?sendActivationMail=false', {
    email: username,
    authority,
    ...(customerId ? { customerId: { entityType: 'CUSTOMER', id: customerId } } : {}),
  });
  expect(created.status, created.text).toBe(200);
  const link = await rest.request('GET', `/api/user/${created.body.id.id}/activationLink`);
  expect(link.status, link.text).toBe(200);
  return { username, activationLink: link.text };
}

/** A user of `authority` with a password, invited and activated through the REST API. */
export async function createUser(
  rest: RestClient,
  authority: 'TENANT_ADMIN' | 'CUSTOMER_USER',
  customerId?: string,
): Promise<{ username: string; password: string }> {
  const { username, activationLink } = await inviteUser(rest, authority, customerId);
  const password = 'correct horse battery staple';
  const activateToken = new URL(activationLink).searchParams.get('activateToken');
  const activated = await rest.request('POST', '/api/noauth/activate', { activateToken, password });
  expect(activated.status, activated.text).toBe(200);
  return { username, password };
}
