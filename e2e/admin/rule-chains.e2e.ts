import type { Locator, Page } from '@playwright/test';
import { createDevice, expect, test, unique } from './fixtures';

/** Drags with the mouse in small steps, as a person does (the canvas reacts to pointer moves, not to a jump). */
async function drag(page: Page, from: Locator, to: Locator | { x: number; y: number }): Promise<void> {
  const start = (await from.boundingBox())!;
  const box = 'x' in to ? { ...to, width: 0, height: 0 } : (await to.boundingBox())!;
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 12 });
  await page.mouse.up();
}

test.describe('rule chains', () => {
  test('a script filter put between "Post telemetry" and saving keeps readings of 20 and below out of storage', async ({
    page,
    rest,
    logIn,
    mqttDevice,
  }) => {
    const chains = await rest.request('GET', '/api/ruleChains?pageSize=10&page=0');
    const root = chains.body.data.find((chain: { root: boolean }) => chain.root);
    const before = await rest.request('GET', `/api/ruleChain/${root.id.id}/metadata`);
    try {
      await logIn();
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Rule chains' }).click();
      await expect(page.getByRole('heading', { name: 'Rule chains', level: 1 })).toBeVisible();
      await page.getByRole('link', { name: root.name }).click();
      await expect(page.getByRole('heading', { name: root.name, level: 1 })).toBeVisible();
      const canvas = page.getByLabel('Rule chain canvas');
      await expect(canvas.getByText('Message Type Switch', { exact: true })).toBeVisible();

      // Find the script filter in the palette and drag it onto the canvas.
      await page.getByLabel('Search nodes').fill('script');
      const filterSection = page.getByRole('region', { name: 'Filter' });
      // Below the nodes, between the switch and the "save" column.
      const switchBox = (await canvas.getByLabel('Message Type Switch', { exact: true }).boundingBox())!;
      const saveBox = (await canvas.getByLabel('Save Timeseries', { exact: true }).boundingBox())!;
      const lowest = (await canvas.getByLabel('RPC Call Request', { exact: true }).boundingBox())!;
      await drag(page, filterSection.getByRole('button', { name: 'script' }), {
        x: (switchBox.x + switchBox.width + saveBox.x) / 2 - 20,
        y: lowest.y + lowest.height + 40,
      });
      const settings = page.getByRole('region', { name: 'Node settings' });
      await expect(settings.getByRole('heading', { name: 'script' })).toBeVisible();
      await settings.getByLabel('Name').fill('Warmer than 20?');
      await settings.getByLabel('Script language').click();
      await page.getByRole('option', { name: 'JS' }).click();
      await settings.getByLabel('JavaScript function body').fill('return msg.temperature > 20;');
      await expect(page.getByText('Unsaved changes')).toBeVisible();

      // The switch's "Post telemetry" goes to the filter, the filter's "True" to saving.
      await drag(page, canvas.getByLabel('Output of Message Type Switch'), canvas.getByLabel('Input of Warmer than 20?'));
      let dialog = page.getByRole('dialog', { name: 'Connect Message Type Switch → Warmer than 20?' });
      await dialog.getByRole('checkbox', { name: 'Post telemetry' }).check();
      await dialog.getByRole('button', { name: 'Connect' }).click();
      await drag(page, canvas.getByLabel('Output of Warmer than 20?'), canvas.getByLabel('Input of Save Timeseries'));
      dialog = page.getByRole('dialog', { name: 'Connect Warmer than 20? → Save Timeseries' });
      await dialog.getByRole('checkbox', { name: 'True' }).check();
      await dialog.getByRole('button', { name: 'Connect' }).click();
      await expect(canvas.getByText('True', { exact: true })).toBeVisible();

      // The direct line from the switch to saving goes.
      await canvas.getByLabel('Message Type Switch', { exact: true }).click();
      await settings.getByRole('button', { name: 'Remove connection Post telemetry to Save Timeseries' }).click();
      await expect(settings.getByRole('button', { name: 'Remove connection Post telemetry to Warmer than 20?' })).toBeVisible();

      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByText(`Saved as version ${before.body.version + 1}`)).toBeVisible();
      await expect(page.getByText('Unsaved changes')).toHaveCount(0);

      // A device publishes 15 then 25: only 25 is stored.
      const device = await createDevice(rest, 'rule-chain-e2e');
      const client = await mqttDevice(device.token);
      await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ temperature: 15 }), { qos: 1 });
      await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ temperature: 25 }), { qos: 1 });
      const stored = async () => {
        const res = await rest.request(
          'GET',
          `/api/plugins/telemetry/DEVICE/${device.id}/values/timeseries?keys=temperature&startTs=0&endTs=${Date.now() + 60_000}&limit=100`,
        );
        return ((res.body.temperature ?? []) as { value: string }[]).map((point) => Number(point.value));
      };
      await expect.poll(stored).toContain(25);
      expect(await stored()).toEqual([25]);

      // Restoring the version before puts the direct line back.
      await page.getByRole('button', { name: 'Versions' }).click();
      await page.getByRole('button', { name: `Restore version ${before.body.version}` }).click();
      await expect(page.getByText(`Version ${before.body.version} restored`)).toBeVisible();
      await expect(canvas.getByText('Warmer than 20?')).toHaveCount(0);
    } finally {
      // Other tests share this product and expect every reading to be stored.
      const current = await rest.request('GET', `/api/ruleChain/${root.id.id}/metadata`);
      if (current.body.nodes.length !== before.body.nodes.length) {
        await rest.request('POST', `/api/ruleChain/${root.id.id}/versions/${before.body.version}/restore`);
      }
    }
  });
  test('Delete removes a node, a stale save keeps the work and says why, scripts run on sample data, leaving asks first', async ({
    page,
    rest,
    logIn,
  }) => {
    const created = await rest.request('POST', '/api/ruleChain', { name: unique('Scratch chain') });
    const id = created.body.id.id;
    await logIn(undefined, `/rule-chains/${id}`);
    const canvas = page.getByLabel('Rule chain canvas');
    // Pressing a palette entry adds the node too (keyboard users cannot drag).
    await page.getByRole('region', { name: 'Action' }).getByRole('button', { name: 'log' }).click();
    await page.getByRole('region', { name: 'Filter' }).getByRole('button', { name: 'script' }).click();
    await canvas.getByLabel('script', { exact: true }).click();
    await page.keyboard.press('Delete');
    await expect(canvas.getByLabel('script', { exact: true })).toHaveCount(0);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByText('Saved as version 2')).toBeVisible();

    // Someone else saves meanwhile: our save is refused with the server's words, our edit stays on the canvas.
    const metadata = await rest.request('GET', `/api/ruleChain/${id}/metadata`);
    expect((await rest.request('POST', '/api/ruleChain/metadata', { ...metadata.body, nodes: [] })).status).toBe(200);
    await canvas.getByLabel('log', { exact: true }).click();
    await page.getByRole('region', { name: 'Node settings' }).getByLabel('Name').fill('my log');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText('Rule chain was already changed by someone else');
    await expect(canvas.getByLabel('my log', { exact: true })).toBeVisible();

    await page.getByRole('button', { name: 'Test script' }).click();
    await page.getByRole('button', { name: 'Run' }).click();
    await expect(page.getByRole('region', { name: 'Output' })).toContainText('"temperature":22');
    await page.getByRole('button', { name: 'Close', exact: true }).click();

    await page.getByRole('link', { name: 'Back to rule chains' }).click();
    await expect(page.getByRole('heading', { name: 'Leave without saving?' })).toBeVisible();
    await page.getByRole('button', { name: 'Leave without saving' }).click();
    await expect(page.getByRole('heading', { name: 'Rule chains', level: 1 })).toBeVisible();
  });
});
