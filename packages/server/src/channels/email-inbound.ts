import type { AddressInfo } from 'node:net';
import { LIMITS } from '@canopy/core';
import { findOrgBySlug, RecordProblems, type Store } from '@canopy/store';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import type { TextAnalysisStep } from '../pipeline/analyse.js';
import { type IngestOptions, ingestBatch } from '../pipeline/ingest.js';
import { validateBatch } from '../pipeline/validate.js';

/**
 * Customers' emails as interactions, as they arrive: an SMTP listener (put it behind your MX,
 * or point a forwarding rule at it) that takes mail for `<org-slug>@…` or
 * `<org-slug>+<touchpoint>@…`, and writes each message through the same validation, text
 * analysis and rules as the API. The sender is the customer; the Message-ID makes a redelivered
 * message an update, not a duplicate. Unknown mailboxes are refused at RCPT, before the data.
 */
export interface InboundEmailOptions {
  port: number;
  host?: string;
  /** Largest message accepted, in bytes (default 10 MB). */
  maxBytes?: number;
}

interface Mailbox {
  orgId: string;
  touchpoint: string;
}

export class InboundEmail {
  readonly server: SMTPServer;

  constructor(
    private readonly store: Store,
    private readonly opts: InboundEmailOptions,
    private readonly analysis?: TextAnalysisStep,
    private readonly rules?: IngestOptions['rules'],
  ) {
    const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    this.server = new SMTPServer({
      // A receiving server for mail relayed to it: no login, no TLS of its own (terminate it in
      // the MTA in front, or keep this on a private network).
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: maxBytes,
      banner: 'Canopy inbound email',
      logger: false,
      onRcptTo: (address, _session, cb) => {
        this.mailbox(address)
          .then((m) => cb(m instanceof Error ? smtpError(550, m.message) : undefined))
          .catch((e: Error) => cb(smtpError(451, `try again later: ${e.message}`)));
      },
      onData: (stream, session, cb) => {
        this.receive(stream, session.envelope.rcptTo)
          .then(() => cb())
          .catch((e: Error & { responseCode?: number }) => cb(e.responseCode ? e : smtpError(451, e.message)));
      },
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    return (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** `acme@…` → the org's email touchpoint; `acme+billing-email@…` → that touchpoint. */
  private async mailbox(address: SMTPServerAddress): Promise<Mailbox | Error> {
    const local = address.address.split('@')[0]?.toLowerCase() ?? '';
    const [slug, tag] = local.split('+', 2) as [string, string | undefined];
    const org = slug ? await findOrgBySlug(this.store.db, slug) : undefined;
    if (!org) return new Error(`no mailbox ${address.address}: the part before @ must be an organisation's slug`);
    const tps = await this.store.db
      .selectFrom('touchpoints')
      .select(['key', 'channel'])
      .where('org_id', '=', org.id)
      .execute();
    const tp = tag ? tps.find((t) => t.key.toLowerCase() === tag) : tps.find((t) => t.channel === 'email');
    if (!tp) {
      return new Error(
        tag
          ? `no touchpoint '${tag}' in ${slug}`
          : `${slug} has no email touchpoint: write to ${slug}+<touchpoint>@ or add a touchpoint with channel email`,
      );
    }
    return { orgId: org.id, touchpoint: tp.key };
  }

  private async receive(stream: NodeJS.ReadableStream, rcpt: SMTPServerAddress[]): Promise<void> {
    const mail = await simpleParser(stream as never);
    if ((stream as { sizeExceeded?: boolean }).sizeExceeded) throw smtpError(552, 'message too large');
    const from = mail.from?.value[0]?.address;
    if (!from) throw smtpError(550, 'the message has no From address: the sender is the customer');
    const text = (mail.text ?? '').trim().slice(0, LIMITS.longText);
    const subject = mail.subject?.trim().slice(0, LIMITS.mediumText);
    // One interaction per mailbox the message was sent to (usually one).
    const seen = new Set<string>();
    for (const r of rcpt) {
      const m = await this.mailbox(r);
      if (m instanceof Error) continue;
      if (seen.has(`${m.orgId}|${m.touchpoint}`)) continue;
      seen.add(`${m.orgId}|${m.touchpoint}`);
      const record = {
        customer_email: from,
        kind: 'email',
        channel: 'email',
        touchpoint: m.touchpoint,
        ...(mail.messageId ? { external_id: mail.messageId.slice(0, LIMITS.shortText) } : {}),
        ...(subject ? { subject } : {}),
        ...(text ? { text } : {}),
        status: 'open',
        opened_at: (mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : new Date()).toISOString(),
      };
      const { records, errors } = validateBatch('interactions', [record]);
      if (errors.length) {
        const e = errors[0]!;
        throw smtpError(550, `refused: ${e.field} ${e.reason}`);
      }
      try {
        await ingestBatch(this.store, m.orgId, 'interactions', records as never[], {
          analysis: this.analysis,
          rules: this.rules,
        });
      } catch (e) {
        const p = e instanceof RecordProblems ? e.problems[0] : undefined;
        if (p) throw smtpError(550, `refused: ${p.field} ${p.reason}`);
        throw e;
      }
    }
  }
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}
