/** The port through which the domain sends e-mail; the SES adapter lives in functions/shared/mail/. */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
