import { createTestNode, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { toEmailNode, type EmailMessage } from './to-email';

const msg = testMsg({
  metadata: { deviceName: 'Boiler', deviceType: 'boiler', userEmail: 'ops@example.com', html: 'TRUE' },
  data: { temperature: 91 },
});

async function emailOf(config: Parameters<typeof createTestNode<typeof toEmailNode.defaultConfig>>[1], input = msg) {
  const node = await createTestNode(toEmailNode, config);
  const [out] = await node.send(input);
  expect(out).toMatchObject({ kind: 'next', relation: 'Success' });
  return { out, email: JSON.parse(out.msg.data) as EmailMessage };
}

describe('to email', () => {
  it('builds a SEND_EMAIL message from the default templates', async () => {
    const { out, email } = await emailOf({});
    expect(out.msg).toMatchObject({ id: msg.id, type: 'SEND_EMAIL', originator: msg.originator, metadata: msg.metadata });
    expect(email).toEqual({
      from: 'info@testmail.org',
      to: 'ops@example.com',
      cc: null,
      bcc: null,
      subject: 'Device boiler temperature high',
      body: 'Device Boiler has high temperature 91',
      images: null,
      html: false,
    });
  });

  it('fills cc and bcc, and takes HTML from the body type', async () => {
    const { email } = await emailOf({ ccTemplate: 'a@x.org, ${userEmail}', bccTemplate: 'audit@x.org', mailBodyType: 'true' });
    expect(email).toMatchObject({ cc: 'a@x.org, ops@example.com', bcc: 'audit@x.org', html: true });
  });

  it('decides HTML per message with the dynamic body type', async () => {
    expect((await emailOf({ mailBodyType: 'dynamic', isHtmlTemplate: '${html}' })).email.html).toBe(true);
    expect((await emailOf({ mailBodyType: 'dynamic', isHtmlTemplate: '${missing}' })).email.html).toBe(false);
  });

  it('carries inline images from the "images" metadata', async () => {
    const images = { 'logo.png': 'data:image/png;base64,iVBORw0KGgo=' };
    const { email } = await emailOf({}, testMsg({ metadata: { ...msg.metadata, images: JSON.stringify(images) } }));
    expect(email.images).toEqual(images);
  });

  it('fails when the "images" metadata is not a JSON object of strings', async () => {
    const node = await createTestNode(toEmailNode);
    const [out] = await node.send(testMsg({ metadata: { images: '[1,2]' } }));
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('Metadata "images" must be a JSON object') });
  });
});
