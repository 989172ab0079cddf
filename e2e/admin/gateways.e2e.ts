import { expect, test, unique } from './fixtures';

test.describe('gateways', () => {
  test('a gateway that connects three devices is listed, connected, with its devices and their activity', async ({
    page,
    rest,
    logIn,
    mqttDevice,
  }) => {
    const name = unique('gateway');
    const token = unique('GW').replace(/-/g, '_');
    const created = await rest.request('POST', `/api/device?accessToken=${token}`, { name, additionalInfo: { gateway: true } });
    expect(created.status, created.text).toBe(200);

    await logIn(undefined, `/gateways?gateway=${created.body.id.id}`);
    await expect(page.getByRole('heading', { name: 'No devices connected yet' })).toBeVisible();
    await expect(page.getByLabel('Gateway connect command', { exact: true })).toContainText(`-t v1/gateway/connect -u '${token}'`);

    // As the ThingsBoard IoT Gateway does: announce each device, then send their data in one batch.
    const client = await mqttDevice(token);
    const children = [1, 2, 3].map((n) => `${name} sensor ${n}`);
    for (const device of children)
      await client.publishAsync('v1/gateway/connect', JSON.stringify({ device, type: 'thermometer' }), { qos: 1 });
    const telemetry = Object.fromEntries(children.map((device, i) => [device, [{ ts: Date.now(), values: { temperature: 20 + i } }]]));
    await client.publishAsync('v1/gateway/telemetry', JSON.stringify(telemetry), { qos: 1 });

    const gateways = page.getByRole('navigation', { name: 'Gateways' });
    await expect(gateways.getByRole('button', { name: new RegExp(`${name} Connected`) })).toBeVisible();
    const table = page.getByRole('table', { name: `Devices of ${name}` });
    for (const device of children) {
      await expect(table.getByRole('row', { name: new RegExp(`${device} thermometer Connected (just now|\\d+ s ago)`) })).toBeVisible();
    }

    // The device page of a child is one click away.
    await table.getByRole('link', { name: children[0] }).click();
    await expect(page).toHaveURL(/\/devices\/[0-9a-f-]+\/latest$/);
    await expect(page.getByRole('table', { name: 'Latest telemetry' }).getByRole('row', { name: /temperature 20/ })).toBeVisible();
  });
});
