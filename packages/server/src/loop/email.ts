import nodemailer, { type Transporter } from 'nodemailer';
import type { JobHandler } from '../jobs/index.js';

/** SMTP for notifications and digests: a URL (smtp://user:pass@host:587) or host/port options. */
export interface SmtpConfig {
  url?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  user?: string;
  pass?: string;
  /** Sender address. */
  from: string;
  /** Loopback test servers use self-signed certificates. */
  ignoreTls?: boolean;
}

/** CANOPY_SMTP_URL (and CANOPY_SMTP_FROM) configure email when the app is not given SMTP options. */
export function smtpFromEnv(env = process.env): SmtpConfig | undefined {
  if (!env.CANOPY_SMTP_URL) return undefined;
  return { url: env.CANOPY_SMTP_URL, from: env.CANOPY_SMTP_FROM ?? 'Canopy <canopy@localhost>' };
}

export interface EmailPayload {
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

export function mailer(smtp: SmtpConfig | undefined): { handler: JobHandler<EmailPayload>; close(): void } {
  let transport: Transporter | null = null;
  const get = () => {
    if (!smtp) throw new Error('email is not configured (set CANOPY_SMTP_URL)');
    transport ??= smtp.url
      ? nodemailer.createTransport(smtp.url)
      : nodemailer.createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure ?? false,
          auth: smtp.user ? { user: smtp.user, pass: smtp.pass ?? '' } : undefined,
          ignoreTLS: smtp.ignoreTls ?? false,
          tls: smtp.ignoreTls ? { rejectUnauthorized: false } : undefined,
        });
    return transport;
  };
  return {
    handler: async (job) => {
      const p = job.payload;
      await get().sendMail({
        from: smtp!.from,
        to: p.to,
        subject: p.subject,
        text: p.text,
        html: p.html,
        headers: { 'X-Canopy-Job': job.id },
      });
    },
    close: () => transport?.close(),
  };
}
