import { createHmac } from 'node:crypto';
import {
  type AnswerError,
  type AnswerMap,
  checkAnswers,
  chooseEnding,
  DEFAULT_SURVEY_SETTINGS,
  decideAsk,
  type Ending,
  encodeToken,
  mergeAnswers,
  missingRequired,
  nextPage,
  peekToken,
  type ResponseInput,
  type SurveyDefinition,
  type SurveySettings,
  surveyDefinitionInput,
  surveySettingsInput,
  toResponseAnswers,
  verifyToken,
} from '@canopy/core';
import {
  type Db,
  getInvitation,
  type InvitationRow,
  isOptedOut,
  lastAskedAt,
  patchInvitation,
  reviseResponseAnswers,
  type Store,
  type SurveyRow,
  type SurveySettingsRow,
  surveySettings,
  surveyVersion,
  touchpointSentSince,
} from '@canopy/store';
import type { TextAnalysisStep } from '../pipeline/analyse.js';
import { type IngestOptions, ingestBatch } from '../pipeline/ingest.js';
import { validateBatch } from '../pipeline/validate.js';
import { Problem } from '../problem.js';

export interface OrgSurveySettings {
  row: SurveySettingsRow;
  settings: SurveySettings;
}

export function macFor(secret: string): (payload: Uint8Array) => Uint8Array {
  const key = Buffer.from(secret, 'base64url');
  return (payload) => new Uint8Array(createHmac('sha256', key).update(payload).digest());
}

/** Settings as stored, with defaults for anything an older row lacks. */
export function parseSettings(raw: unknown): SurveySettings {
  const r = surveySettingsInput.safeParse(raw ?? {});
  return r.success ? r.data : DEFAULT_SURVEY_SETTINGS;
}

export function parseDefinition(raw: unknown): SurveyDefinition {
  return surveyDefinitionInput.parse(raw);
}

/** A token that opened: the invitation it names, its survey and the definition it was sent with. */
export interface Opened {
  org: OrgSurveySettings;
  invitation: InvitationRow;
  definition: SurveyDefinition;
  token: string;
}

export interface SaveResult {
  answers: AnswerMap;
  completed: boolean;
  nextPage: number | undefined;
  ending: Ending | undefined;
  responseId: string | null;
}

const TOKEN_PROBLEMS = {
  malformed: () =>
    new Problem(
      403,
      'Invalid link',
      'this survey link is not valid: check that it was copied whole',
      undefined,
      'token-invalid',
    ),
  forged: () =>
    new Problem(
      403,
      'Invalid link',
      'this survey link is not valid: check that it was copied whole',
      undefined,
      'token-invalid',
    ),
  expired: () =>
    new Problem(410, 'Link expired', 'this survey link has expired; nothing was recorded', undefined, 'token-expired'),
  used: () =>
    new Problem(
      410,
      'Already answered',
      'this survey has already been answered with this link; thank you',
      undefined,
      'token-used',
    ),
};
export const tokenProblem = TOKEN_PROBLEMS;

export class SurveyService {
  /** Saves of one invitation run one after another (page saves and a second click may overlap). */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    readonly store: Store,
    readonly analysis?: TextAnalysisStep,
    /** The closed loop's rules: a survey response fires them when it is first written. */
    readonly rules?: IngestOptions['rules'],
  ) {}

  async settings(orgId: string, db: Db = this.store.db): Promise<OrgSurveySettings> {
    const row = await surveySettings(db, orgId);
    return { row, settings: parseSettings(row.settings) };
  }

  token(org: OrgSurveySettings, inv: { id: string; expires_at: Date }): string {
    return encodeToken(
      { orgId: org.row.org_id, invitationId: inv.id, expiresAt: new Date(inv.expires_at) },
      macFor(org.row.token_secret),
    );
  }

  /**
   * Checks a token (signature, expiry) and loads its invitation. Forged and malformed tokens
   * and tokens of unknown invitations are 403, expired ones 410; nothing is written.
   */
  async open(token: string | undefined, now: Date, slug?: string): Promise<Opened> {
    const peek = token ? peekToken(token) : null;
    if (!token || !peek) throw TOKEN_PROBLEMS.malformed();
    const org = await this.settings(peek.claims.orgId).catch(() => undefined);
    if (!org) throw TOKEN_PROBLEMS.forged();
    const check = verifyToken(token, macFor(org.row.token_secret), now);
    if (!check.ok) throw TOKEN_PROBLEMS[check.reason]();
    const invitation = await getInvitation(this.store.db, check.claims.orgId, check.claims.invitationId);
    if (!invitation) throw TOKEN_PROBLEMS.forged();
    const raw = await surveyVersion(this.store.db, invitation.org_id, invitation.survey_id, invitation.version);
    if (!raw) throw TOKEN_PROBLEMS.forged();
    const definition = parseDefinition(raw);
    if (slug !== undefined && slug !== definition.slug) {
      // The token is real but for another survey's page: treat it as not valid here.
      throw TOKEN_PROBLEMS.forged();
    }
    return { org, invitation, definition, token };
  }

  /** Should this customer be asked now? Opt-out, throttle, quota, sampling, quiet hours. */
  async decide(
    org: OrgSurveySettings,
    f: {
      now: Date;
      channel: 'email' | 'link' | 'widget';
      customerId: string | null;
      touchpointId: string | null;
      touchpoint: string | null;
      samplePercent: number;
      hasAddress?: boolean;
      except?: string;
    },
  ) {
    const orgId = org.row.org_id;
    const db = this.store.db;
    const quota = f.touchpoint ? org.settings.touchpoint_quotas[f.touchpoint] : undefined;
    return decideAsk(
      {
        now: f.now,
        channel: f.channel,
        optedOut: await isOptedOut(db, orgId, f.customerId),
        lastAskedAt: f.customerId ? await lastAskedAt(db, orgId, f.customerId, f.except) : null,
        roll: Math.random(),
        samplePercent: f.samplePercent,
        touchpoint: f.touchpoint,
        quotaUsed:
          quota && f.touchpointId
            ? await touchpointSentSince(
                db,
                orgId,
                f.touchpointId,
                new Date(f.now.getTime() - quota.period_days * 86_400_000),
              )
            : 0,
        ...(f.hasAddress === undefined ? {} : { hasAddress: f.hasAddress }),
      },
      org.settings,
    );
  }

  async markOpened(o: Opened, now: Date): Promise<void> {
    if (!o.invitation.opened_at) {
      await patchInvitation(this.store.db, o.invitation.org_id, o.invitation.id, { opened_at: now, sent_at: now });
    }
  }

  /** Saves answers for an invitation, one save at a time per invitation. */
  save(
    o: Opened,
    raw: Record<string, unknown>,
    opts: { now: Date; page?: number; complete?: boolean },
  ): Promise<SaveResult> {
    const id = o.invitation.id;
    const prev = this.chains.get(id) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.saveNow(o, raw, opts));
    this.chains.set(id, run);
    void run
      .catch(() => undefined)
      .finally(() => {
        if (this.chains.get(id) === run) this.chains.delete(id);
      });
    return run;
  }

  private async saveNow(
    o: Opened,
    raw: Record<string, unknown>,
    opts: { now: Date; page?: number; complete?: boolean },
  ): Promise<SaveResult> {
    const d = o.definition;
    // Read again: an earlier save of this invitation may have just finished.
    const inv = (await getInvitation(this.store.db, o.invitation.org_id, o.invitation.id)) ?? o.invitation;
    if (inv.completed_at && d.single_use) throw TOKEN_PROBLEMS.used();
    const checked = checkAnswers(d, raw);
    const problems = (errs: AnswerError[]) => errs.map((e) => ({ field: `answers.${e.question}`, reason: e.reason }));
    if (checked.errors.length) {
      throw new Problem(
        422,
        'Invalid answers',
        'some answers are not valid; nothing was saved',
        problems(checked.errors),
      );
    }
    const answers = mergeAnswers(d, inv.answers ?? {}, checked.answers, checked.removed);
    const next = opts.page !== undefined ? nextPage(d, answers, opts.page + 1) : undefined;
    const completed = opts.complete ?? (opts.page !== undefined && next === undefined);
    const pagesChecked = completed
      ? [...new Set(d.questions.map((q) => q.page))]
      : opts.page !== undefined
        ? [opts.page]
        : [];
    const missing = missingRequired(d, answers, pagesChecked);
    if (missing.length) {
      throw new Problem(
        422,
        'Invalid answers',
        'some required questions have no answer; nothing was saved',
        problems(missing),
      );
    }
    let responseId = inv.response_id;
    if (Object.keys(answers).length > 0) responseId = await this.writeResponse(inv, d, answers, opts.now);
    await patchInvitation(this.store.db, inv.org_id, inv.id, {
      answers,
      page: completed ? inv.page : (next ?? inv.page),
      opened_at: opts.now,
      started_at: opts.now,
      sent_at: opts.now,
      ...(completed ? { completed_at: opts.now } : {}),
      ...(responseId ? { response_id: responseId } : {}),
    });
    return {
      answers,
      completed,
      nextPage: completed ? undefined : next,
      ending: completed ? chooseEnding(d, answers) : undefined,
      responseId,
    };
  }

  /**
   * The invitation's response, through the ingestion pipeline (validation, identity, agent
   * credit, text analysis): written on the first save, revised on later ones — one response per
   * invitation, however many pages or clicks.
   */
  private async writeResponse(inv: InvitationRow, d: SurveyDefinition, answers: AnswerMap, now: Date): Promise<string> {
    const raw: Record<string, unknown> = {
      idempotency_key: `survey:${inv.id}`,
      survey: d.key,
      source: inv.channel,
      submitted_at: (inv.started_at ? new Date(inv.started_at) : now).toISOString(),
      answers: toResponseAnswers(d, answers),
    };
    if (inv.customer_id) raw.customer_id = inv.customer_id;
    if (inv.interaction_id) raw.interaction_id = inv.interaction_id;
    const touchpoint = inv.touchpoint ?? (inv.interaction_id ? undefined : d.touchpoint);
    if (touchpoint) raw.touchpoint = touchpoint;
    if (inv.agent) raw.agent = inv.agent;
    if (inv.language) raw.language = inv.language;
    const { records, errors } = validateBatch('responses', [raw]);
    if (errors.length) {
      throw new Problem(422, 'Invalid answers', 'the answers do not make a valid response; nothing was saved', errors);
    }
    const rec = records[0] as ResponseInput;
    const orgId = inv.org_id;
    if (!inv.response_id) {
      const outcome = await ingestBatch(this.store, orgId, 'responses', [rec], {
        analysis: this.analysis,
        rules: this.rules,
      });
      if (outcome.statuses[0] !== 'duplicate') return outcome.ids[0];
      inv.response_id = outcome.ids[0];
    }
    const rid = inv.response_id!;
    await this.store.db.transaction().execute(async (trx) => {
      await reviseResponseAnswers(trx, orgId, rid, rec.answers);
      if (this.analysis) {
        const c = await trx
          .selectFrom('responses')
          .select('customer_id')
          .where('org_id', '=', orgId)
          .where('id', '=', rid)
          .executeTakeFirst();
        await this.analysis.analyse(trx, orgId, 'responses', [rec], {
          ids: [rid],
          statuses: ['created'],
          customerIds: [c?.customer_id ?? null],
        });
      }
    });
    return rid;
  }
}

export type { SurveyRow };
