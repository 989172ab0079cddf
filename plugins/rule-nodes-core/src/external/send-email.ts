import type { RuleMsg, RuleNode, RuleNodeContext, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import { detectMimeType } from 'nodemailer/lib/mime-funcs';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { isJsonObject, requireJsonData } from '../transformation/msg-data';
import { SEND_EMAIL, type EmailMessage } from '../transformation/to-email';

export interface SendEmailConfig {
  /** Use the platform's mail server settings (Edgewise has none yet: messages then fail, saying so). */
  useSystemSmtpSettings: boolean;
  smtpHost: string | null;
  smtpPort: number;
  username: string | null;
  password: string | null;
  /** "smtp" (plain, STARTTLS with enableTls) or "smtps" (TLS from the first byte). */
  smtpProtocol: 'smtp' | 'smtps';
  /** Connection, greeting and socket timeout in ms; 0 = none. */
  timeout: number;
  /** Upgrade the connection with STARTTLS when the server offers it. */
  enableTls: boolean;
  /** TLS version(s) allowed with enableTls, e.g. "TLSv1.2" or "TLSv1.2 TLSv1.3". */
  tlsVersion: string | null;
  /** Not supported yet (a configuration with a proxy is refused). */
  enableProxy: boolean;
  proxyHost: string | null;
  proxyPort: string | null;
  proxyUser: string | null;
  proxyPassword: string | null;
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof TLS_VERSIONS)[number];

/** The lowest and highest of the configured TLS versions (ThingsBoard passes the list to JavaMail as is). */
function tlsRange(tlsVersion: string | null): { minVersion: TlsVersion; maxVersion: TlsVersion } | undefined {
  const versions = (tlsVersion ?? '').split(/[\s,]+/).filter(Boolean);
  if (!versions.length) return undefined;
  const unknown = versions.find((v) => !TLS_VERSIONS.includes(v as TlsVersion));
  if (unknown) throw new Error(`"tlsVersion" ${JSON.stringify(unknown)} is unknown: use ${TLS_VERSIONS.join(', ')}`);
  const sorted = [...versions].sort((a, b) => TLS_VERSIONS.indexOf(a as TlsVersion) - TLS_VERSIONS.indexOf(b as TlsVersion));
  return { minVersion: sorted[0] as TlsVersion, maxVersion: sorted.at(-1) as TlsVersion };
}

function transportFor(config: SendEmailConfig): Transporter<SMTPTransport.SentMessageInfo> {
  if (!config.smtpHost?.trim()) throw new Error('Set "smtpHost" to the mail server to send through');
  if (!['smtp', 'smtps'].includes(config.smtpProtocol)) throw new Error('Set "smtpProtocol" to smtp or smtps');
  if (config.enableProxy) throw new Error('Proxies for SMTP are not supported yet: turn off "enableProxy"');
  const timeout = config.timeout > 0 ? config.timeout : undefined;
  const tls = config.enableTls ? tlsRange(config.tlsVersion) : undefined;
  return createTransport({
    host: config.smtpHost,
    port: config.smtpPort,
    secure: config.smtpProtocol === 'smtps',
    // As with JavaMail, STARTTLS is only used when enabled (and then only if the server offers it).
    ignoreTLS: !config.enableTls,
    ...(config.username ? { auth: { user: config.username, pass: config.password ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    ...(tls && { tls }),
  });
}

const addresses = (list: string | null) => (list?.trim() ? list.split(/\s*,\s*/) : undefined);

/** The e-mail a "to email" node put into the message, checked. */
function emailOf(msg: RuleMsg): EmailMessage {
  if (msg.type !== SEND_EMAIL) {
    throw new Error(`Not expected msg type ${msg.type} for SendEmail Node: connect it to the Success output of a "to email" node`);
  }
  const email = requireJsonData(msg, 'a SEND_EMAIL message carries the e-mail built by "to email"');
  if (!isJsonObject(email)) throw new Error('The SEND_EMAIL message data is not an e-mail object: build it with a "to email" node');
  if (typeof email.to !== 'string' || !email.to.trim()) {
    throw new Error(`Email destination can not be blank [${String(email.to)}]: set "To" in the "to email" node`);
  }
  if (typeof email.from !== 'string' || !email.from.trim()) {
    throw new Error('The e-mail has no sender: set "From" in the "to email" node (there are no system mail settings to take it from)');
  }
  return email as unknown as EmailMessage;
}

/** Inline images: content id → base64 (a `data:image/…;base64,` prefix is allowed). */
function inlineImages(images: Record<string, string> | null): SendMailOptions['attachments'] {
  return Object.entries(images ?? {}).map(([cid, image]) => ({
    cid,
    content: Buffer.from(image.replace(/^data:image\/[^;]*;base64,?/, ''), 'base64'),
    contentType: detectMimeType(cid),
    contentDisposition: 'inline' as const,
  }));
}

class EmailSender implements RuleNode {
  constructor(private readonly transport: Transporter<SMTPTransport.SentMessageInfo>) {}

  async onMsg(msg: RuleMsg, ctx: RuleNodeContext): Promise<void> {
    const email = emailOf(msg);
    try {
      await this.transport.sendMail({
        from: email.from!,
        to: addresses(email.to),
        cc: addresses(email.cc),
        bcc: addresses(email.bcc),
        subject: email.subject ?? '',
        ...(email.html ? { html: email.body ?? '' } : { text: email.body ?? '' }),
        attachments: inlineImages(email.images),
      });
    } catch (e) {
      throw new Error(`Unable to send mail: ${(e as Error).message}`);
    }
    ctx.tellSuccess(msg);
  }

  destroy(): void {
    this.transport.close();
  }
}

/** Fails every message: kept for configurations that point at the (not yet existing) system mail settings. */
const withoutSystemSettings: RuleNode = {
  onMsg() {
    throw new Error(
      'Edgewise has no system mail server settings yet: turn off "useSystemSmtpSettings" and set the SMTP server in this node',
    );
  },
};

/** "send email": sends the e-mail of a SEND_EMAIL message (from "to email") through an SMTP server. */
export const sendEmailNode: RuleNodeDescriptor<SendEmailConfig> = {
  type: 'core/send-email',
  category: 'external',
  name: 'send email',
  description: 'Sends the e-mail that a "to email" node prepared (a SEND_EMAIL message) through an SMTP server.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      useSystemSmtpSettings: { type: 'boolean', title: 'Use system SMTP settings' },
      smtpProtocol: { type: 'string', enum: ['smtp', 'smtps'], title: 'Protocol' },
      smtpHost: { type: ['string', 'null'], title: 'SMTP host' },
      smtpPort: { type: 'integer', minimum: 1, maximum: 65535, title: 'SMTP port' },
      timeout: { type: 'integer', minimum: 0, title: 'Timeout (ms)' },
      enableTls: { type: 'boolean', title: 'Enable TLS (STARTTLS)' },
      tlsVersion: { type: ['string', 'null'], title: 'TLS version' },
      username: { type: ['string', 'null'], title: 'Username' },
      password: { type: ['string', 'null'], title: 'Password' },
      enableProxy: { type: 'boolean', title: 'Use a proxy (not supported yet)' },
      proxyHost: { type: ['string', 'null'], title: 'Proxy host' },
      proxyPort: { type: ['string', 'integer', 'null'], title: 'Proxy port' },
      proxyUser: { type: ['string', 'null'], title: 'Proxy user' },
      proxyPassword: { type: ['string', 'null'], title: 'Proxy password' },
    },
    required: ['useSystemSmtpSettings'],
  },
  defaultConfig: {
    useSystemSmtpSettings: true,
    smtpHost: 'localhost',
    smtpPort: 25,
    username: null,
    password: null,
    smtpProtocol: 'smtp',
    timeout: 10000,
    enableTls: false,
    tlsVersion: 'TLSv1.2',
    enableProxy: false,
    proxyHost: null,
    proxyPort: null,
    proxyUser: null,
    proxyPassword: null,
  },
  thingsboardClass: 'org.thingsboard.rule.engine.mail.TbSendEmailNode',
  icon: 'send',
  create(config) {
    return config.useSystemSmtpSettings ? withoutSystemSettings : new EmailSender(transportFor(config));
  },
};
