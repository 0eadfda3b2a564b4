import { chooseLanguage, triggerInput } from '@canopy/core';
import {
  claimDueInvitations,
  customerEmail,
  findSurvey,
  type InvitationRow,
  insertInvitations,
  patchInvitation,
  surveyVersion,
  triggerCauses,
  triggeredSurveys,
} from '@canopy/store';
import { smtpTransport, surveyEmail } from './mail.js';
import { parseDefinition, type SurveyService } from './service.js';

export interface DispatchReport {
  scheduled: number;
  sent: number;
  skipped: number;
  deferred: number;
  failed: number;
}

const MAX_ATTEMPTS = 5;
/** Causes older than this are history (an import), not something to ask about now. */
const LOOKBACK_MS = 3 * 86_400_000;

/**
 * Delayed and triggered sends. Invitations are the schedule: a row with status 'scheduled' and
 * scheduled_at is claimed (lease, SKIP LOCKED) when due, checked against the contact rules at
 * send time, mailed, and marked. The trigger scan turns recently resolved interactions and
 * events into scheduled invitations, once per cause (a unique key), so it is safe to repeat.
 */
export class SurveyDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DispatchReport> | undefined;

  constructor(
    private readonly svc: SurveyService,
    private readonly baseUrl: (settingsUrl: string | undefined) => string,
  ) {}

  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.tick().catch((err) => console.error('survey dispatcher:', err));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass: scan triggers, then send what is due. Overlapping calls share the pass in progress. */
  tick(now = new Date()): Promise<DispatchReport> {
    if (!this.running) {
      this.running = (async () => {
        const scheduled = await this.scanTriggers(now);
        const r = await this.sendDue(now);
        return { ...r, scheduled };
      })().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  async scanTriggers(now: Date): Promise<number> {
    const db = this.svc.store.db;
    let n = 0;
    for (const s of await triggeredSurveys(db)) {
      const d = parseDefinition(s.definition);
      const since = new Date(Math.max(now.getTime() - LOOKBACK_MS, new Date(s.created_at).getTime() - 60_000));
      for (const raw of d.triggers) {
        const t = triggerInput.parse(raw);
        const causes = await triggerCauses(
          db,
          s.org_id,
          s.id,
          t.on === 'event' ? { on: 'event', types: t.types, touchpoints: t.touchpoints } : t,
          since,
          500,
        );
        if (!causes.length) continue;
        const ids = await insertInvitations(
          db,
          s.org_id,
          causes.map((c) => {
            const at = new Date(Math.max(new Date(c.at).getTime() + t.delay_minutes * 60_000, now.getTime()));
            return {
              surveyId: s.id,
              version: s.version,
              channel: 'email' as const,
              customerId: c.customer_id,
              email: null,
              touchpointId: c.touchpoint_id,
              interactionId: c.interaction_id,
              agent: c.agent,
              language: null,
              hidden: {},
              triggerKey: c.trigger_key,
              status: 'scheduled' as const,
              scheduledAt: at,
              expiresAt: new Date(at.getTime() + d.token_ttl_days * 86_400_000),
            };
          }),
        );
        n += ids.filter(Boolean).length;
      }
    }
    return n;
  }

  async sendDue(now: Date): Promise<Omit<DispatchReport, 'scheduled'>> {
    const report = { sent: 0, skipped: 0, deferred: 0, failed: 0 };
    for (;;) {
      const batch = await claimDueInvitations(this.svc.store.db, now, 20, 120_000);
      if (!batch.length) break;
      for (const inv of batch) {
        const r = await this.sendOne(inv, now).catch(async (err: Error) => {
          await this.retryOrFail(inv, now, err.message);
          return 'failed' as const;
        });
        report[r]++;
      }
      if (batch.length < 20) break;
    }
    return report;
  }

  private async retryOrFail(inv: InvitationRow, now: Date, error: string): Promise<void> {
    const db = this.svc.store.db;
    if (inv.attempts >= MAX_ATTEMPTS) {
      await patchInvitation(db, inv.org_id, inv.id, { status: 'failed', last_error: error, claimed_until: null });
    } else {
      const backoff = Math.min(3_600_000, 60_000 * 2 ** (inv.attempts - 1));
      await patchInvitation(db, inv.org_id, inv.id, {
        status: 'scheduled',
        scheduled_at: new Date(now.getTime() + backoff),
        last_error: error,
        claimed_until: null,
      });
    }
  }

  private async sendOne(inv: InvitationRow, now: Date): Promise<'sent' | 'skipped' | 'deferred' | 'failed'> {
    const db = this.svc.store.db;
    const orgId = inv.org_id;
    const survey = await findSurvey(db, { orgId, id: inv.survey_id });
    const skip = async (reason: string) => {
      await patchInvitation(db, orgId, inv.id, { status: 'skipped', reason, claimed_until: null });
      return 'skipped' as const;
    };
    if (survey?.status !== 'active') return skip('survey_not_active');
    const raw = await surveyVersion(db, orgId, inv.survey_id, inv.version);
    if (!raw) return skip('survey_not_active');
    const d = parseDefinition(raw);
    const org = await this.svc.settings(orgId);
    const to = inv.email ?? (inv.customer_id ? await customerEmail(db, orgId, inv.customer_id) : null);
    const decision = await this.svc.decide(org, {
      now,
      channel: 'email',
      customerId: inv.customer_id,
      touchpointId: inv.touchpoint_id,
      touchpoint: inv.touchpoint,
      // Triggered sends are sampled; invitations an API client asked for are not.
      samplePercent: inv.trigger_key ? d.sample_percent : 100,
      hasAddress: Boolean(to),
      except: inv.id,
    });
    if (decision.decision === 'skip') return skip(decision.reason);
    if (decision.decision === 'defer') {
      await patchInvitation(db, orgId, inv.id, {
        status: 'scheduled',
        scheduled_at: decision.until,
        reason: decision.reason,
        claimed_until: null,
        attempts: Math.max(0, inv.attempts - 1),
      });
      return 'deferred';
    }
    const transport = smtpTransport();
    if (!transport) throw new Error('no SMTP server configured: set CANOPY_SMTP_URL');
    const lang = chooseLanguage(d, inv.language);
    const token = this.svc.token(org, inv);
    const base = `${this.baseUrl(org.settings.public_url)}/s/${d.slug}`;
    const q = `t=${encodeURIComponent(token)}`;
    const mail = surveyEmail(d, lang, {
      survey: `${base}?${q}`,
      answer: (v) => `${base}/answer?${q}&v=${v}`,
      optOut: `${base}/opt-out?${q}`,
      pixel: `${base}/open.gif?${q}`,
    });
    await transport.sendMail({
      from: org.settings.email_from ?? process.env.CANOPY_MAIL_FROM ?? 'Canopy surveys <surveys@localhost>',
      to: to!,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      headers: {
        'List-Unsubscribe': `<${base}/opt-out?${q}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'X-Canopy-Invitation': inv.id,
      },
    });
    await patchInvitation(db, orgId, inv.id, {
      status: 'sent',
      sent_at: now,
      reason: null,
      last_error: null,
      claimed_until: null,
    });
    return 'sent';
  }
}
