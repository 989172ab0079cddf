import { nextMessage } from '../support/mqtt-client';
import { createDevice, expect, test } from './fixtures';

test.describe('a live device', () => {
  test('telemetry published over MQTT appears at once, on the latest values and on the chart', async ({
    page,
    rest,
    logIn,
    mqttDevice,
  }) => {
    const device = await createDevice(rest);
    const client = await mqttDevice(device.token);
    await logIn(undefined, `/devices/${device.id}/latest`);
    await expect(page.getByRole('heading', { name: 'No telemetry yet' })).toBeVisible();
    await expect(page.getByLabel('MQTT command', { exact: true })).toContainText(`-u '${device.token}'`);

    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ temperature: 21.5 }), { qos: 1 });
    const table = page.getByRole('table', { name: 'Latest telemetry' });
    await expect(table.getByRole('row', { name: /temperature 21\.5/ })).toBeVisible();

    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ temperature: 22.75 }), { qos: 1 });
    await expect(table.getByRole('row', { name: /temperature 22\.75/ })).toBeVisible();
    await expect(page.getByText('Connected', { exact: true })).toBeVisible();

    await page.getByRole('tab', { name: 'Timeseries' }).click();
    await expect(page).toHaveURL(/\/timeseries$/);
    // The history is averaged per bucket (both values may share one); the newest value is shown as it is.
    const chart = page.getByRole('img', { name: /Line chart of temperature/ });
    await expect(chart).toHaveAccessibleName(/temperature: \d points?, last point (22\.125|22\.75) at/);
    await expect(page.getByRole('list', { name: 'Latest values' })).toContainText('22.75');

    // A new point is appended to the chart as it comes.
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ temperature: 19.25 }), { qos: 1 });
    await expect(chart).toHaveAccessibleName(/temperature: \d points, last point 19\.25 at/);
    await expect(page.getByRole('list', { name: 'Latest values' })).toContainText('19.25');

    await page.getByLabel('Time range').click();
    await page.getByRole('option', { name: 'Last 24 hours' }).click();
    await expect(page).toHaveURL(/range=1d/);
    await expect(chart).toHaveAccessibleName(
      /over the last 24 hours, history averaged over \d+ s buckets\. temperature: [12] points?, last point /,
    );
  });

  test('a shared attribute set in the admin reaches the connected device', async ({ page, rest, logIn, mqttDevice }) => {
    const device = await createDevice(rest);
    const client = await mqttDevice(device.token);
    await client.subscribeAsync('v1/devices/me/attributes', { qos: 1 });
    await logIn(undefined, `/devices/${device.id}/attributes`);
    await page.getByRole('radio', { name: 'Shared' }).click();
    await expect(page).toHaveURL(/scope=shared/);
    await expect(page.getByRole('heading', { name: 'No shared attributes' })).toBeVisible();

    await page.getByRole('button', { name: 'Add attribute' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a shared attribute' });
    await dialog.getByLabel('Key').fill('targetTemperature');
    await dialog.getByLabel('Type').click();
    await page.getByRole('option', { name: 'Number' }).click();
    await dialog.getByLabel('Value').fill('warm');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByText('Not a valid value of this type.')).toBeVisible();

    await dialog.getByLabel('Value').fill('22.5');
    const pushed = nextMessage(client, 'v1/devices/me/attributes', 10_000);
    await dialog.getByRole('button', { name: 'Save' }).click();
    expect(JSON.parse((await pushed).payload)).toEqual({ targetTemperature: 22.5 });
    await expect(
      page.getByRole('table', { name: 'Shared attributes' }).getByRole('row', { name: /targetTemperature 22\.5/ }),
    ).toBeVisible();
  });

  test('an RPC sent from the console gets the device’s reply, and a silent device is explained', async ({
    page,
    rest,
    logIn,
    mqttDevice,
  }) => {
    const device = await createDevice(rest);
    const client = await mqttDevice(device.token);
    await client.subscribeAsync('v1/devices/me/rpc/request/+', { qos: 1 });
    client.on('message', (topic, payload) => {
      const requestId = topic.split('/').pop();
      const { method, params } = JSON.parse(payload.toString());
      if (method === 'getState')
        client.publish(`v1/devices/me/rpc/response/${requestId}`, JSON.stringify({ state: 'idle', asked: params }));
    });
    await logIn(undefined, `/devices/${device.id}/rpc`);

    await page.getByLabel('Method').fill('getState');
    await page.getByLabel('Params (JSON)').fill('{"verbose": true');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByText('This is not valid JSON.')).toBeVisible();

    await page.getByLabel('Params (JSON)').fill('{"verbose": true}');
    await page.getByRole('button', { name: 'Send' }).click();
    const results = page.getByRole('region', { name: 'RPC results' });
    await expect(results.getByRole('article').first()).toContainText('The device answered.');
    const reply = JSON.parse((await results.getByLabel('Reply').first().textContent()) ?? '');
    expect(reply).toEqual({ state: 'idle', asked: { verbose: true } });

    // A method the device ignores: the call ends at its timeout with an explanation.
    await page.getByLabel('Method').fill('reboot');
    await page.getByLabel('Timeout').fill('5');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(results.getByRole('article').first()).toContainText('No reply within 5 s', { timeout: 20_000 });
  });
});
