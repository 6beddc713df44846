/** The Mailer port over SES v2 (aws-ses-v2-local in the local stack). */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer, MailMessage } from '#core/ports.ts';

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly sender: string,
    /** The configuration set that reports bounces and complaints (MAIL_CONFIGURATION_SET); none locally. */
    private readonly configurationSet?: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const to = [...new Set(message.to)];
    if (to.length === 0) return;
    await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.sender,
        ...(this.configurationSet === undefined ? {} : { ConfigurationSetName: this.configurationSet }),
        Destination: { ToAddresses: to },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              ...(message.html === undefined ? {} : { Html: { Data: message.html, Charset: 'UTF-8' } }),
            },
          },
        },
      }),
    );
  }
}
