import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { RuleMsg } from '@edgewise/plugin-api';
import { createTestNode, testMsg, type TestNodeHarness } from '@edgewise/plugin-api/testing';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { toEmailNode, type ToEmailConfig } from '../transformation/to-email';
import { sendEmailNode, type SendEmailConfig } from './send-email';

interface Delivered {
  from: string;
  recipients: string[];
  raw: string;
}

const servers: SMTPServer[] = [];
const nodes: TestNodeHarness[] = [];

/** A real SMTP server on a free port; records what is delivered. */
async function startSmtpServer(options: SMTPServerOptions = {}) {
  const delivered: Delivered[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        delivered.push({ from, recipients: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString() });
        callback();
      });
    },
    ...options,
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  servers.push(server);
  return { port: (server.server.address() as AddressInfo).port, delivered };
}

async function sender(config: Partial<SendEmailConfig>) {
  const node = await createTestNode(sendEmailNode, { useSystemSmtpSettings: false, smtpHost: '127.0.0.1', ...config });
  nodes.push(node);
  return node;
}

/** The SEND_EMAIL message a "to email" node makes of a device message. */
async function emailMsg(config: Partial<ToEmailConfig> = {}, metadata: Record<string, string> = {}): Promise<RuleMsg> {
  const toEmail = await createTestNode(toEmailNode, config);
  const [out] = await toEmail.send(
    testMsg({ metadata: { deviceName: 'Boiler', deviceType: 'boiler', userEmail: 'ops@example.com', ...metadata } }),
  );
  return out.msg;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.destroy()));
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

describe('send email', () => {
  it('delivers the e-mail from "to email" to every recipient', async () => {
    const smtp = await startSmtpServer();
    const node = await sender({ smtpPort: smtp.port });
    const msg = await emailMsg({ ccTemplate: 'boss@example.com', bccTemplate: 'audit@example.com, log@example.com' });
    expect(await node.send(msg)).toEqual([{ kind: 'next', relation: 'Success', msg }]);
    expect(smtp.delivered).toHaveLength(1);
    const [mail] = smtp.delivered;
    expect(mail.from).toBe('info@testmail.org');
    expect(mail.recipients).toEqual(['ops@example.com', 'boss@example.com', 'audit@example.com', 'log@example.com']);
    expect(mail.raw).toContain('Subject: Device boiler temperature high');
    expect(mail.raw).toContain('Content-Type: text/plain');
    expect(mail.raw).toContain('Device Boiler has high temperature 25');
    expect(mail.raw).not.toContain('audit@example.com');
  });

  it('sends HTML bodies with inline images', async () => {
    const smtp = await startSmtpServer();
    const node = await sender({ smtpPort: smtp.port });
    const images = JSON.stringify({ 'logo.png': 'data:image/png;base64,iVBORw0KGgo=' });
    const msg = await emailMsg({ mailBodyType: 'true', bodyTemplate: '<p>${deviceName}</p><img src="cid:logo.png">' }, { images });
    await node.send(msg);
    const { raw } = smtp.delivered[0];
    expect(raw).toContain('Content-Type: text/html');
    expect(raw).toContain('<p>Boiler</p>');
    expect(raw).toMatch(/Content-Type: image\/png[\s\S]*Content-ID: <logo\.png>[\s\S]*iVBORw0KGgo=/);
  });

  it('logs in with the configured user, and fails when the server refuses it', async () => {
    const smtp = await startSmtpServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) =>
        auth.username === 'mailer' && auth.password === 's3cret'
          ? callback(null, { user: auth.username })
          : callback(new Error('Invalid username or password')),
    });
    const good = await sender({ smtpPort: smtp.port, username: 'mailer', password: 's3cret' });
    expect((await good.send(await emailMsg()))[0]).toMatchObject({ kind: 'next', relation: 'Success' });
    const bad = await sender({ smtpPort: smtp.port, username: 'mailer', password: 'wrong' });
    const [out] = await bad.send(await emailMsg());
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringMatching(/^Unable to send mail: .*Invalid/) });
    expect(smtp.delivered).toHaveLength(1);
  });

  it('fails when the server rejects a recipient', async () => {
    const smtp = await startSmtpServer({ onRcptTo: (_address, _session, callback) => callback(new Error('No such mailbox')) });
    const node = await sender({ smtpPort: smtp.port });
    const [out] = await node.send(await emailMsg());
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('Unable to send mail') });
  });

  it('fails when no SMTP server listens at the address', async () => {
    const smtp = await startSmtpServer();
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const node = await sender({ smtpPort: smtp.port });
    const [out] = await node.send(await emailMsg());
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('only takes SEND_EMAIL messages with a recipient', async () => {
    const node = await sender({ smtpPort: 1025 });
    const [telemetry] = await node.send(testMsg());
    expect(telemetry).toMatchObject({
      kind: 'failure',
      error: expect.stringContaining('Not expected msg type POST_TELEMETRY_REQUEST for SendEmail Node'),
    });
    const [noRecipient] = await node.send(await emailMsg({ toTemplate: '' }));
    expect(noRecipient).toMatchObject({ kind: 'failure', error: expect.stringContaining('Email destination can not be blank [null]') });
  });

  it('fails messages, saying why, when told to use system SMTP settings (there are none yet)', async () => {
    const node = await createTestNode(sendEmailNode);
    const [out] = await node.send(await emailMsg());
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('turn off "useSystemSmtpSettings"') });
  });

  it('refuses unknown TLS versions and proxies when built', async () => {
    await expect(sender({ enableTls: true, tlsVersion: 'SSLv3' })).rejects.toThrow(/"tlsVersion" "SSLv3" is unknown/);
    await expect(sender({ enableProxy: true, proxyHost: 'proxy' })).rejects.toThrow(/turn off "enableProxy"/);
  });
});
