import { createHash, randomBytes } from 'node:crypto';
import { nextMessage } from '../support/mqtt-client';
import { expect, test, unique } from './fixtures';
import { stateReport } from '../support/ota-device';

const FIRMWARE = randomBytes(8 * 1024);
const CHUNK_BYTES = 1024;
const REPORTED_STATES = ['DOWNLOADING', 'DOWNLOADED', 'VERIFIED', 'UPDATING', 'UPDATED'];

test.describe('firmware over the air', () => {
  test('a package uploaded and assigned in the admin reaches a device, whose update the status view follows live to UPDATED', async ({
    page,
    rest,
    logIn,
    mqttDevice,
  }) => {
    const profileName = unique('ota-profile');
    const profile = await rest.request('POST', '/api/deviceProfile', {
      name: profileName,
      type: 'DEFAULT',
      transportType: 'DEFAULT',
      profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
    });
    expect(profile.status, profile.text).toBe(200);
    const deviceName = unique('ota-device');
    const token = unique('OTA').replace(/-/g, '_');
    const device = await rest.request('POST', `/api/device?accessToken=${token}`, { name: deviceName, deviceProfileId: profile.body.id });
    expect(device.status, device.text).toBe(200);
    const title = unique('tracker');

    await logIn(undefined, '/ota');
    await page.getByRole('button', { name: 'Upload package' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Upload a package' });
    await dialog.getByLabel('Title').fill(title);
    await dialog.getByLabel('Version').fill('1.1');
    await dialog.getByLabel('Device profile').click();
    await page.getByRole('option', { name: profileName }).click();
    await dialog
      .getByLabel('File', { exact: true })
      .setInputFiles({ name: 'tracker-1.1.bin', mimeType: 'application/octet-stream', buffer: FIRMWARE });
    await dialog.getByLabel('Checksum algorithm').click();
    await page.getByRole('option', { name: 'SHA256', exact: true }).click();
    await dialog.getByRole('button', { name: 'Upload' }).click();
    await expect(dialog).toBeHidden();
    const row = page
      .getByRole('table', { name: 'Packages' })
      .getByRole('row', { name: new RegExp(`${title} 1\\.1 Firmware ${profileName}`) });
    await expect(row).toContainText('tracker-1.1.bin');
    await expect(row).toContainText(`SHA256 ${createHash('sha256').update(FIRMWARE).digest('hex').slice(0, 12)}`);

    await row.getByRole('button', { name: `Actions for ${title} 1.1` }).click();
    await page.getByRole('menuitem', { name: `Assign to ${profileName}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Assign' }).click();
    await expect(row).toContainText('assigned');

    // An assigned package is kept: the server's refusal says where it is used.
    await row.getByRole('button', { name: `Actions for ${title} 1.1` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete package' }).click();
    await expect(page.getByText(new RegExp(`not deleted: .*referenced by the device profile.*${profileName}`))).toBeVisible();
    await page.getByRole('button', { name: 'Dismiss' }).click();

    await page.getByRole('tab', { name: 'Update status' }).click();
    await expect(page).toHaveURL(/\/ota\/updates$/);
    const timeline = page.getByRole('list', { name: `Update of ${deviceName}` });
    await expect(timeline.getByRole('listitem').filter({ hasText: 'INITIATED' })).toContainText('now');

    // The device, as the ThingsBoard SDKs do: read fw_*, download in chunks, verify, report each step.
    const client = await mqttDevice(token);
    await client.subscribeAsync(['v1/devices/me/attributes/response/+', 'v2/fw/response/+/chunk/+'], { qos: 1 });
    const answer = nextMessage(client, 'v1/devices/me/attributes/response/1');
    await client.publishAsync('v1/devices/me/attributes/request/1', '{"sharedKeys":"fw_title,fw_version,fw_size,fw_checksum"}', { qos: 1 });
    const fw = JSON.parse((await answer).payload).shared;
    expect(fw).toMatchObject({ fw_title: title, fw_version: '1.1', fw_size: FIRMWARE.length });
    const report = (state: string) => client.publishAsync('v1/devices/me/telemetry', stateReport(state), { qos: 1 });
    await report('DOWNLOADING');
    await expect(timeline.getByRole('listitem').filter({ hasText: 'DOWNLOADING' })).toContainText('now');
    const chunks: Buffer[] = [];
    for (let chunk = 0; ; chunk++) {
      const topic = `v2/fw/response/1/chunk/${chunk}`;
      const received = new Promise<Buffer>((resolve) => {
        const onMessage = (at: string, payload: Buffer) => {
          if (at !== topic) return;
          client.off('message', onMessage);
          resolve(payload);
        };
        client.on('message', onMessage);
      });
      await client.publishAsync(`v2/fw/request/1/chunk/${chunk}`, String(CHUNK_BYTES), { qos: 1 });
      const bytes = await received;
      if (bytes.length === 0) break; // past the end: the download is complete
      chunks.push(bytes);
    }
    expect(chunks).toHaveLength(FIRMWARE.length / CHUNK_BYTES);
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(fw.fw_checksum);
    for (const state of REPORTED_STATES.slice(1)) await report(state);
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ current_fw_title: title, current_fw_version: '1.1' }), {
      qos: 1,
    });

    await expect(timeline.getByRole('listitem').filter({ hasText: 'UPDATED' })).toContainText('done');
    for (const state of ['QUEUED', 'INITIATED', ...REPORTED_STATES]) {
      await expect(timeline.getByRole('listitem').filter({ hasText: state })).toContainText('done');
    }
  });
});
