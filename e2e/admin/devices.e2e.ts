import { createDevice, expect, test, unique } from './fixtures';

test.describe('devices', () => {
  test('adding a device explains what is wrong, then shows how to connect it; deleting asks first', async ({
    page,
    rest,
    product,
    logIn,
  }) => {
    const existing = await createDevice(rest);
    await logIn(undefined, '/devices');
    await page.getByRole('button', { name: 'Add device' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a device' });

    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect(dialog.getByText('Give the device a name, unique in your tenant')).toBeVisible();

    await dialog.getByLabel('Name').fill(existing.name);
    await expect(dialog.getByLabel('Device profile')).toHaveText('default');
    await dialog.getByLabel('Access token').fill('not a token!');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect(dialog.getByText('Use up to 32 letters, digits')).toBeVisible();

    const token = unique('TOK').replace(/-/g, '_');
    await dialog.getByLabel('Access token').fill(token);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect(dialog.getByText('Device with such name already exists!')).toBeVisible();

    const name = unique('Boiler');
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Label').fill('Cellar');
    await dialog.getByRole('button', { name: 'Add' }).click();

    await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
    await expect(page.getByRole('tab', { name: 'Connectivity' })).toHaveAttribute('aria-selected', 'true');
    const host = new URL(product.url).hostname;
    await expect(page.getByLabel('MQTT command', { exact: true })).toHaveText(
      `mosquitto_pub -d -q 1 -h ${host} -p ${product.ports.mqtt.mqtt} -t v1/devices/me/telemetry -u '${token}' -m '{"temperature":21}'`,
    );
    await expect(page.getByLabel('HTTP command', { exact: true })).toContainText(`${product.url}/api/v1/${token}/telemetry`);

    await page.getByRole('link', { name: 'Devices' }).first().click();
    await page.getByLabel('Search devices').fill(name);
    await expect(page).toHaveURL(new RegExp(`q=${name}`));
    const rows = page.getByRole('row');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(1)).toContainText('Cellar');

    await page.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${name}?` });
    await expect(confirm).toContainText('telemetry, attributes, alarms and credentials will be deleted');
    await confirm.getByRole('button', { name: 'Delete device' }).click();
    await expect(page.getByRole('heading', { name: 'No devices match' })).toBeVisible();
    expect((await rest.request('GET', `/api/tenant/devices?deviceName=${name}`)).status).toBe(404);
  });

  test('the access token is copied with one click, and can be replaced', async ({ page, rest, logIn }) => {
    const device = await createDevice(rest);
    await logIn(undefined, `/devices/${device.id}/credentials`);
    await expect(page.getByLabel('Access token', { exact: true })).toHaveText(device.token);
    await page.getByRole('button', { name: 'Copy access token' }).click();
    await expect(page.getByText('Copied to the clipboard')).toBeVisible();
    // A string, not a function: this project's TypeScript has no DOM types.
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(device.token);

    await page.getByRole('button', { name: 'Change access token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the access token' });
    await dialog.getByLabel('New access token').fill('REPLACED_TOKEN_1');
    await dialog.getByRole('button', { name: 'Change token' }).click();
    await expect(page.getByLabel('Access token', { exact: true })).toHaveText('REPLACED_TOKEN_1');
    expect((await rest.request('GET', `/api/device/${device.id}/credentials`)).body.credentialsId).toBe('REPLACED_TOKEN_1');
  });
});
