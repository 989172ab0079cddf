import { createDevice, expect, test, unique } from './fixtures';

test.describe('alarms', () => {
  test('an alarm raised through the REST API shows up live, is acknowledged and cleared', async ({ page, rest, logIn }) => {
    const device = await createDevice(rest);
    const type = unique('Overheating');
    await logIn(undefined, `/alarms?q=${type}`);
    await expect(page.getByRole('heading', { name: 'No alarms match the filters' })).toBeVisible();

    const raised = await rest.request('POST', '/api/alarm', {
      type,
      originator: { entityType: 'DEVICE', id: device.id },
      severity: 'CRITICAL',
    });
    expect(raised.status).toBe(200);
    const row = page.getByRole('row', { name: new RegExp(type) });
    await expect(row).toContainText('CRITICAL');
    await expect(row).toContainText(device.name);
    await expect(row).toContainText('Active, unacknowledged');

    await row.getByRole('button', { name: `Acknowledge ${type} on ${device.name}` }).click();
    await expect(row).toContainText('Active, acknowledged');

    await row.getByRole('button', { name: `Clear ${type} on ${device.name}` }).click();
    await expect(page.getByRole('heading', { name: 'No alarms match the filters' })).toBeVisible();
    expect((await rest.request('GET', `/api/alarm/info/${raised.body.id.id}`)).body.status).toBe('CLEARED_ACK');

    await page.getByRole('radio', { name: 'Cleared' }).click();
    await expect(page).toHaveURL(/status=cleared/);
    await expect(page.getByRole('row', { name: new RegExp(type) })).toContainText('Cleared');
  });

  test('a device’s alarms tab follows its alarms', async ({ page, rest, logIn }) => {
    const device = await createDevice(rest);
    await logIn(undefined, `/devices/${device.id}/alarms`);
    await expect(page.getByRole('heading', { name: 'No active alarms' })).toBeVisible();
    await rest.request('POST', '/api/alarm', { type: 'Door open', originator: { entityType: 'DEVICE', id: device.id }, severity: 'MINOR' });
    await expect(page.getByRole('row', { name: /MINOR Door open/ })).toBeVisible();
  });
});
