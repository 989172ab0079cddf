import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { isJsonObject } from './msg-data';
import { fillTemplate } from './templates';

export interface ToEmailConfig {
  fromTemplate: string | null;
  /** Comma-separated addresses. */
  toTemplate: string | null;
  ccTemplate: string | null;
  bccTemplate: string | null;
  subjectTemplate: string | null;
  bodyTemplate: string | null;
  /** With mailBodyType "dynamic": a template that resolves to "true" for an HTML body. */
  isHtmlTemplate: string | null;
  /** "false" plain text, "true" HTML, "dynamic" decided per message by isHtmlTemplate. */
  mailBodyType: 'false' | 'true' | 'dynamic' | null;
}

/**
 * The data of a SEND_EMAIL message, as ThingsBoard's TbEmail serializes it: what "send email" expects.
 * `images` maps content ids (referenced as `cid:` in an HTML body) to base64 images.
 */
export interface EmailMessage {
  from: string | null;
  to: string | null;
  cc: string | null;
  bcc: string | null;
  subject: string | null;
  body: string | null;
  images: Record<string, string> | null;
  html: boolean;
}

export const SEND_EMAIL = 'SEND_EMAIL';

/** Metadata key under which a message may carry inline images for the e-mail (a JSON object). */
const IMAGES_KEY = 'images';

function imagesOf(metadata: Readonly<Record<string, string>>): Record<string, string> | null {
  const text = metadata[IMAGES_KEY];
  if (!text) return null;
  let images: unknown;
  try {
    images = JSON.parse(text);
  } catch {
    images = undefined;
  }
  if (!isJsonObject(images) || !Object.values(images).every((value) => typeof value === 'string')) {
    throw new Error('Metadata "images" must be a JSON object of content id → base64 image, e.g. {"logo.png":"data:image/png;base64,…"}');
  }
  return images as Record<string, string>;
}

const nullableTemplate = (title: string) => ({ type: ['string', 'null'], title }) as const;

/** "to email": builds a SEND_EMAIL message for "send email" from templates. */
export const toEmailNode: RuleNodeDescriptor<ToEmailConfig> = {
  type: 'core/to-email',
  category: 'transformation',
  name: 'to email',
  description:
    'Turns the message into an e-mail (sender, recipients, subject and body filled from templates) of type SEND_EMAIL, ready for the "send email" node.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      fromTemplate: nullableTemplate('From'),
      toTemplate: nullableTemplate('To (comma-separated)'),
      ccTemplate: nullableTemplate('Cc (comma-separated)'),
      bccTemplate: nullableTemplate('Bcc (comma-separated)'),
      subjectTemplate: nullableTemplate('Subject'),
      bodyTemplate: nullableTemplate('Body'),
      mailBodyType: {
        type: ['string', 'null'],
        enum: ['false', 'true', 'dynamic', null],
        title: 'Body type (false: plain text, true: HTML, dynamic)',
      },
      isHtmlTemplate: nullableTemplate('HTML body? (dynamic body type: a template giving true or false)'),
    },
  },
  defaultConfig: {
    fromTemplate: 'info@testmail.org',
    toTemplate: '${userEmail}',
    ccTemplate: null,
    bccTemplate: null,
    subjectTemplate: 'Device ${deviceType} temperature high',
    bodyTemplate: 'Device ${deviceName} has high temperature $[temperature]',
    isHtmlTemplate: null,
    mailBodyType: 'false',
  },
  thingsboardClass: 'org.thingsboard.rule.engine.mail.TbMsgToEmailNode',
  icon: 'email',
  create(config) {
    const dynamicBodyType = config.mailBodyType === 'dynamic';
    return {
      onMsg(msg, ctx) {
        // Empty templates give null, as in ThingsBoard (e.g. no Cc).
        const fill = (template: string | null) => (template ? fillTemplate(template, msg) : null);
        const htmlFlag = dynamicBodyType ? fill(config.isHtmlTemplate) : config.mailBodyType;
        const email: EmailMessage = {
          from: fill(config.fromTemplate),
          to: fill(config.toTemplate),
          cc: fill(config.ccTemplate),
          bcc: fill(config.bccTemplate),
          subject: fill(config.subjectTemplate),
          body: fill(config.bodyTemplate),
          images: imagesOf(msg.metadata),
          html: htmlFlag?.toLowerCase() === 'true',
        };
        ctx.tellSuccess(ctx.transformMsg(msg, { type: SEND_EMAIL, data: JSON.stringify(email), dataType: 'JSON' }));
      },
    };
  },
};
