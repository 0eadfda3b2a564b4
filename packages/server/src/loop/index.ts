import type { Store } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyAuth } from '../auth.js';
import { JobRunner, type JobRunnerOptions } from '../jobs/index.js';
import { caseRoutes } from '../routes/cases.js';
import { digestRoutes } from '../routes/digest.js';
import { ruleRoutes } from '../routes/rules.js';
import { webhookRoutes } from '../routes/webhooks.js';
import { mailer, type SmtpConfig, smtpFromEnv } from './email.js';
import { RulesEngine } from './engine.js';
import { allowPrivateFromEnv } from './url-guard.js';
import { webhookHandler } from './webhooks.js';

export { type SmtpConfig, smtpFromEnv } from './email.js';
export { RulesEngine } from './engine.js';
export { sign as signWebhook } from './webhooks.js';

export interface LoopOptions {
  /** Email for rule notifications and digests (default: CANOPY_SMTP_URL). */
  smtp?: SmtpConfig;
  /** The job runner that sends webhooks and emails; false: this node only enqueues. */
  jobs?: JobRunnerOptions | false;
  /** Per webhook request (ms). */
  webhookTimeoutMs?: number;
  /**
   * Allow webhook URLs on loopback and private/link-local addresses (refused by default against
   * SSRF; default: CANOPY_WEBHOOK_ALLOW_PRIVATE=1). For tests and single-machine setups.
   */
  webhookAllowPrivate?: boolean;
}

/**
 * The closed loop on an app: rules (evaluated by ingestion), cases, webhooks, digests, and the
 * job runner that starts with the app and stops when it closes.
 */
export function closedLoop(app: FastifyInstance, store: Store, auth: ApiKeyAuth, opts: LoopOptions = {}) {
  const smtp = opts.smtp ?? smtpFromEnv();
  const mail = mailer(smtp);
  const runner = opts.jobs === false ? null : new JobRunner(store, opts.jobs ?? {});
  const rules = new RulesEngine(5000, runner);
  const allowPrivate = opts.webhookAllowPrivate ?? allowPrivateFromEnv();
  runner
    ?.register('webhook.deliver', webhookHandler({ timeoutMs: opts.webhookTimeoutMs ?? 10_000, allowPrivate }))
    .register('email.send', mail.handler);
  app.addHook('onReady', async () => {
    await runner?.start();
  });
  app.addHook('onClose', async () => {
    await runner?.stop();
    mail.close();
  });
  ruleRoutes(app, store, auth, rules);
  caseRoutes(app, store, auth, runner);
  webhookRoutes(app, store, auth, { allowPrivate, onChange: (orgId) => rules.invalidate(orgId) });
  digestRoutes(app, store, auth, { emailConfigured: smtp !== undefined });
  return { rules, runner };
}
