import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createUser, openStore, type Store } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { BrowserContext, Page } from 'playwright-core';
import { defaultAnalyser } from '../src/analyser.js';
import { buildApp } from '../src/app.js';
import { type DemoLoaded, loadDemo } from '../src/demo.js';
import { TextAnalysisStep } from '../src/pipeline/analyse.js';
import { defaultWebDir } from '../src/static.js';
import { CHROMIUM, DEMO_CUSTOMERS, launchChromium } from './web-browser.js';

/**
 * The closed-loop and survey pages end to end, in Debian's Chromium on the demo org: cases
 * (list, board, detail with workflow, notes, root cause, actions), rules (with the server's
 * field errors), the weekly digest, and the survey editor. What the UI changes is read back
 * through the API, on the demo at `npm start`'s size. Screenshots at 1280×800 and 375×740 go to
 * test-artifacts/screenshots/ (page timings: web.test.ts).
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const skip = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CANOPY_CHROMIUM)`;

const monday = (d: Date) => {
  const t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const dow = (new Date(t).getUTCDay() + 6) % 7;
  return new Date(t - dow * 86_400_000).toISOString().slice(0, 10);
};

describe('closed loop and survey pages in Chromium', { skip, timeout: 600_000 }, () => {
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let demo: DemoLoaded;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const owner = { email: 'delivery-owner@canopy.local', password: 'delivery-owner-pw', name: 'Dee Livery' };
  const timings: Record<string, number> = {};
  const errors: string[] = [];

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${demo.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null } as { status: number; body: any };
  };
  const get = async (path: string) => {
    const r = await call('GET', path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };

  async function settle() {
    await page.waitForSelector('#main');
    try {
      await page.waitForFunction("!document.querySelector('.loading, .chart-loading')", null, { timeout: 30_000 });
    } catch (e) {
      const stuck = await page.evaluate(
        "[...document.querySelectorAll('.loading, .chart-loading')].map((x) => x.parentElement.outerHTML.slice(0, 300)).join(' | ')",
      );
      throw new Error(`${page.url()} still loading: ${stuck}`, { cause: e });
    }
  }
  /** A full page load (new document), timed to the settled page. */
  async function open(path: string): Promise<number> {
    const t0 = Date.now();
    await page.goto(base + path);
    await settle();
    return Date.now() - t0;
  }
  async function shot(name: string) {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }
  async function both(name: string) {
    await page.setViewportSize({ width: 1280, height: 800 });
    await settle();
    await shot(`${name}-desktop`);
    await page.setViewportSize({ width: 375, height: 740 });
    await settle();
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    assert.ok(overflow <= 1, `${name} is ${overflow}px wider than a phone`);
    await shot(`${name}-phone`);
    await page.setViewportSize({ width: 1280, height: 800 });
  }
  async function signIn(email: string, password: string) {
    await page.goto(`${base}/`);
    await page.waitForSelector('form[aria-labelledby="signin-title"]');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=org-name]');
  }

  before(async () => {
    assert.ok(existsSync(join(defaultWebDir(), 'index.html')), 'packages/web/dist is missing: run `npm run build`');
    mkdirSync(SHOTS, { recursive: true });
    store = await openStore({});
    demo = await loadDemo(store, {
      customers: DEMO_CUSTOMERS,
      seed: 1,
      analysis: new TextAnalysisStep(defaultAnalyser(), { store }),
    });
    app = await buildApp({ store, analyser: defaultAnalyser() });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

    // A department owner for Delivery, and a rule that opens cases for detractors.
    const dept = await sql<{
      id: string;
    }>`SELECT id FROM departments WHERE org_id = ${demo.orgId} AND key = 'delivery'`.execute(store.db);
    await createUser(store.db, demo.orgId, {
      ...owner,
      role: 'department_owner',
      departmentId: dept.rows[0]!.id,
    });
    const rule = await call('POST', '/api/v1/rules', {
      name: 'Detractor follow-up',
      condition: { type: 'nps', max: 6 },
      actions: [{ type: 'open_case', department: 'delivery', priority: 'high' }],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const churn = await call('POST', '/api/v1/rules', {
      name: 'Churn threat to service',
      condition: { type: 'churn_threat' },
      actions: [{ type: 'open_case', department: 'service' }],
    });
    assert.equal(churn.status, 201, JSON.stringify(churn.body));
    const customers = (await get('/api/v1/customers?limit=8')).items as { id: string }[];
    const says = [
      'The courier was late again and the parcel arrived damaged.',
      'Delivery took two weeks, nobody answered my emails.',
      'Box was crushed and the coffee bags split open.',
      'I will cancel my subscription if the deliveries stay this late.',
      'Driver left the parcel in the rain.',
    ];
    for (const [i, text] of says.entries()) {
      const r = await call('POST', '/api/v1/responses', {
        customer_id: customers[i]!.id,
        touchpoint: 'delivery',
        survey: 'nps-after-delivery',
        submitted_at: new Date(Date.now() - (i + 1) * 3_600_000).toISOString(),
        answers: [
          { field: 'nps', type: 'nps', value: i % 4 },
          { field: 'why', type: 'text', value: text },
        ],
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }

    profile = mkdtempSync(join(tmpdir(), 'canopy-chromium-'));
    context = await launchChromium(profile, { width: 1280, height: 800 });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => d.accept());
  });

  after(async () => {
    if (Object.keys(timings).length) console.log(`time to settled page (ms): ${JSON.stringify(timings)}`);
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await app?.close();
    await store?.close();
  });

  test('case list and board show what the API has, with filters in the URL', async () => {
    await signIn(demo.login.email, demo.login.password);
    timings.cases = await open('/cases');
    const open_ = await get('/api/v1/cases?status=new,in_progress,waiting&limit=50');
    assert.ok(open_.items.length >= 5, `the rules opened cases (${open_.items.length})`);
    assert.equal(await page.locator('[data-testid=cases-table] tbody tr').count(), open_.items.length);
    await both('cases');

    await page.selectOption('[data-testid=case-department]', 'delivery');
    await page.waitForURL(/department=delivery/);
    await settle();
    const delivery = await get('/api/v1/cases?status=new,in_progress,waiting&department=delivery&limit=50');
    assert.equal(await page.locator('[data-testid=cases-table] tbody tr').count(), delivery.items.length);
    await page.check('[data-testid=case-overdue-filter]');
    await page.waitForURL(/overdue=true/);
    await settle();
    const overdue = await get('/api/v1/cases?status=new,in_progress,waiting&department=delivery&overdue=true');
    if (overdue.items.length === 0) assert.equal(await page.locator('[data-testid=empty]').count(), 1);
    else assert.equal(await page.locator('[data-testid=cases-table] tbody tr').count(), overdue.items.length);

    timings.board = await open('/cases?view=board');
    const board = await get('/api/v1/cases/board?per_department=30');
    for (const d of board.departments) {
      const cards = page.locator(`[data-testid=board-${d.department}] [data-testid=board-card]`);
      assert.equal(await cards.count(), d.open.length, `${d.department} board cards`);
      const newCol = page.locator(`[data-testid=board-${d.department}] [data-status=new] .count`);
      assert.equal(Number(await newCol.textContent()), d.counts.new);
    }
    await both('cases-board');
  });

  test('case detail: timeline, only the workflow’s next steps offered, workflow, notes, root cause, actions', async () => {
    const list = await get('/api/v1/cases?department=delivery&status=new&limit=50');
    const c = list.items[0];
    assert.ok(c, 'a new delivery case');
    timings.case = await open(`/cases/${c.id}`);
    assert.equal(await page.getAttribute('[data-testid=case-current-status]', 'data-status'), 'new');
    assert.ok((await page.locator('[data-testid=case-timeline-item]').count()) > 1, 'the customer timeline is shown');
    // What triggered it says the score once ("NPS 5" was both the reason and a chip beside it).
    if (c.trigger?.reason) {
      const said = (await page.textContent('[data-testid=case-trigger]')) ?? '';
      assert.equal(said.split(c.trigger.reason).length - 1, 1, said);
    }
    // The history starts where the case did: "Opened by a rule" on its opening day (not signed "rules").
    const opened = (await page.locator('[data-testid=case-history] li').first().textContent()) ?? '';
    assert.match(opened, /Opened by a rule$/);
    assert.doesNotMatch(opened, /rules/);
    assert.ok(
      opened.startsWith(
        new Date(c.opened_at).toLocaleDateString('en-GB', {
          day: 'numeric',
          month: 'short',
          year: 'numeric',
          timeZone: 'UTC',
        }),
      ),
      opened,
    );
    await both('case');

    // new → waiting or resolved is not a step of the workflow: the page offers only the next steps.
    assert.deepEqual(
      await page
        .locator('[data-testid=workflow] button')
        .evaluateAll((bs) => bs.map((b) => b.getAttribute('data-testid'))),
      ['to-in_progress', 'to-closed'],
    );

    await page.click('[data-testid=to-in_progress]');
    await page.waitForSelector('[data-testid=case-current-status][data-status=in_progress]');
    const after1 = await get(`/api/v1/cases/${c.id}`);
    assert.equal(after1.status, 'in_progress');
    assert.equal(after1.history.at(-1).author, 'Demo Admin', 'the change is signed by the user');

    await page.selectOption('[data-testid=case-root-cause]', 'delivery.late');
    await page.waitForFunction(
      `document.querySelector('[data-testid=case-root-cause]').value === 'delivery.late' && !document.querySelector('.loading')`,
    );
    await page.fill('[data-testid=note-input]', 'Called the customer, courier confirmed the delay.');
    await page.click('[data-testid=case-notes] button[type=submit]');
    await page.waitForSelector('[data-testid=notes-list] li');
    await page.fill('[data-testid=action-input]', 'Refunded the delivery fee');
    await page.click('[data-testid=case-actions] button[type=submit]');
    await page.waitForSelector('[data-testid=actions-list] li');
    await page.click('[data-testid=to-resolved]');
    await page.waitForSelector('[data-testid=case-current-status][data-status=resolved]');
    const done = await get(`/api/v1/cases/${c.id}`);
    assert.equal(done.status, 'resolved');
    assert.equal(done.root_cause, 'delivery.late');
    assert.deepEqual(done.actions_taken, ['Refunded the delivery fee']);
    assert.equal(done.notes[0].body, 'Called the customer, courier confirmed the delay.');
    await both('case-resolved');
  });

  test('rules: a bad field shows the server’s reason next to it; a good rule is created and disabled', async () => {
    const before_ = (await get('/api/v1/rules')).items.length;
    timings.rules = await open('/rules');
    assert.equal(await page.locator('[data-testid=rules-table] tbody tr').count(), before_);
    await page.fill('[data-testid=rule-name]', 'Angry VIPs');
    await page.fill('[data-testid=rule-max]', '11');
    await page.click('[data-testid=rule-submit]');
    await page.waitForSelector('[data-testid=rule-error]');
    const fieldError = page.locator('.field.has-error .field-error');
    assert.equal(await fieldError.count(), 1);
    assert.match((await fieldError.textContent()) ?? '', /at most 10/);
    assert.equal(await page.getAttribute('[data-testid=rule-max]', 'aria-invalid'), 'true');
    assert.equal((await get('/api/v1/rules')).items.length, before_, 'nothing was written');
    await both('rules-error');

    await page.fill('[data-testid=rule-max]', '4');
    await page.selectOption('[data-testid=rule-department]', 'service');
    // The assignee is picked from those who may work cases, never typed.
    const people = (await get('/api/v1/assignees')).items.map((u: { name: string }) => u.name);
    assert.deepEqual((await page.locator('[data-testid=rule-assignee] option').allTextContents()).slice(1), people);
    await page.selectOption('[data-testid=rule-assignee]', people[0]);
    await page.click('[data-testid=rule-submit]');
    await page.waitForFunction(
      `document.querySelectorAll('[data-testid=rules-table] tbody tr').length === ${before_ + 1}`,
    );
    const rules = (await get('/api/v1/rules')).items;
    const made = rules.find((r: any) => r.name === 'Angry VIPs');
    assert.deepEqual(made.condition, { type: 'nps', max: 4 });
    assert.equal(made.actions[0].department, 'service');
    assert.equal(made.actions[0].assignee, people[0]);
    await page.click(`[data-rule="${made.id}"] [data-testid=rule-toggle]`);
    await page.waitForSelector(`[data-rule="${made.id}"] [data-testid=rule-state]:text("Disabled")`);
    assert.equal((await get(`/api/v1/rules/${made.id}`)).enabled, false);
    await both('rules');
  });

  test('digest: this week’s cases per department, as the API builds them', async () => {
    const week = monday(new Date());
    timings.digest = await open(`/digest?week=${week}`);
    const dg = await get(`/api/v1/digest?week=${week}`);
    assert.ok(dg.departments.length > 0);
    const active = dg.departments.filter(
      (d: any) => d.cases_opened > 0 || d.unresolved.count > 0 || d.topics.length > 0 || d.verbatims.length > 0,
    );
    assert.ok(active.length > 0);
    assert.equal(await page.locator('[data-testid^=digest-]').count(), active.length);
    for (const d of active) {
      const card = page.locator(`[data-testid=digest-${d.department}]`);
      assert.match(
        (await card.locator('.digest-stats').textContent()) ?? '',
        new RegExp(`^${d.cases_opened} cases? opened · ${d.unresolved.count} still open`),
      );
    }
    await both('digest');
  });

  test('survey editor: create, add a question with a follow-up, save, read back through the API', async () => {
    timings.surveys = await open('/surveys');
    await page.click('[data-testid=new-survey]');
    await page.waitForURL(/\/surveys\/new/);
    await settle();
    await page.fill('[data-testid=survey-name]', 'After delivery');
    await page.fill('[data-testid=survey-key]', 'after-delivery');
    // An empty question text is refused by the server, next to the field.
    await page.fill('[data-testid=question]:nth-child(2) [data-testid=q-text]', '');
    await page.click('[data-testid=survey-save]');
    await page.waitForSelector('[data-testid=survey-error]');
    const err = page.locator('[data-testid=question]:nth-child(2) .field.has-error .field-error');
    assert.equal(await err.count(), 1);
    assert.equal(await err.textContent(), 'must not be empty');
    // The banner names the question by number and the field by its label, not by its path.
    assert.equal(
      await page.textContent('[data-testid=survey-error]'),
      'Nothing was saved: check “Question 2: Question” (marked above).',
    );
    // A question id used twice: the reason names the other question by its number.
    await page.fill('[data-testid=question]:nth-child(2) [data-testid=q-id]', 'nps');
    await page.click('[data-testid=survey-save]');
    await page.waitForSelector('[data-testid=survey-error]:has-text("Id (answer field)")');
    assert.equal(
      await page.textContent(
        '[data-testid=question]:nth-child(2) .field.has-error:has([data-testid=q-id]) .field-error',
      ),
      "duplicate question id 'nps' (also question 1)",
    );
    assert.doesNotMatch((await page.textContent('#main')) ?? '', /questions\[/);
    await page.fill('[data-testid=question]:nth-child(2) [data-testid=q-id]', 'reason');
    assert.equal((await call('GET', '/api/v1/surveys/after-delivery')).status, 404, 'nothing was written');
    await page.fill(
      '[data-testid=question]:nth-child(2) [data-testid=q-text]',
      'What is the main reason for your score?',
    );

    await page.click('[data-testid=add-csat]');
    const q3 = page.locator('[data-testid=question]:nth-child(3)');
    await q3.locator('[data-testid=q-text]').fill('How was the courier?');
    await q3.locator('[data-testid=q-followup]').check();
    await q3.locator('[data-testid=q-followup-min]').fill('0');
    await q3.locator('[data-testid=q-followup-max]').fill('6');
    await page.fill('[data-testid=thanks-title]', 'Thanks for telling us');
    await page.click('[data-testid=survey-save]');
    await page.waitForURL(/\/surveys\/after-delivery$/);
    await page.waitForSelector('[data-testid=survey-saved]');
    await settle();
    const s = await get('/api/v1/surveys/after-delivery');
    assert.equal(s.version, 1);
    assert.deepEqual(
      s.definition.questions.map((q: any) => [q.id, q.type]),
      [
        ['nps', 'nps'],
        ['reason', 'text'],
        ['csat', 'csat'],
      ],
    );
    assert.deepEqual(s.definition.questions[2].show_if, { question: 'nps', min: 0, max: 6 });
    assert.equal(s.definition.questions[2].text, 'How was the courier?');
    assert.equal(s.definition.endings[0].title, 'Thanks for telling us');

    // The preview follows the follow-up: the CSAT question appears after a low NPS.
    const preview = page.locator('[data-testid=survey-preview]');
    assert.equal(await preview.locator('.pq-text:text("How was the courier?")').count(), 0);
    await preview.locator('.scale button:text-is("3")').first().click();
    assert.equal(await preview.locator('.pq-text:text("How was the courier?")').count(), 1);
    assert.match((await page.getAttribute('[data-testid=hosted-link]', 'href')) ?? '', /\/s\/after-delivery-/);

    // A second save is a new version.
    await page.click('[data-testid=add-multi_choice]');
    await page.click('[data-testid=survey-save]');
    await page.waitForSelector('[data-testid=survey-saved]:text("version 2")');
    const s2 = await get('/api/v1/surveys/after-delivery');
    assert.equal(s2.version, 2);
    assert.equal(s2.definition.questions.length, 4);
    assert.equal(s2.definition.questions[3].type, 'multi_choice');
    await both('survey-editor');

    await open('/surveys');
    // The demo's own surveys (those its answers come from) and the new one.
    const listed = (await call('GET', '/api/v1/surveys')).body.items;
    assert.equal(await page.locator('[data-testid=surveys-table] tbody tr').count(), listed.length);
    assert.equal(await page.locator('[data-testid=surveys-table] tr[data-survey="after-delivery"]').count(), 1);
    await both('surveys');
  });

  test('a department owner lands on their department’s cases', async () => {
    await page.click('[data-testid=sign-out]');
    await signIn(owner.email, owner.password);
    await open('/cases');
    await page.waitForURL(/department=delivery/);
    await settle();
    const mine = await get('/api/v1/cases?status=new,in_progress,waiting&department=delivery&limit=50');
    assert.equal(await page.locator('[data-testid=cases-table] tbody tr').count(), mine.items.length);
    assert.equal(await page.inputValue('[data-testid=case-department]'), 'delivery');
    await shot('cases-department-owner-desktop');
    await page.click('[data-testid=sign-out]');
    await signIn(demo.login.email, demo.login.password);
  });

  test('feedback explorer filters on the server: department, sentiment, topic', async () => {
    const from = new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const win = `from=${from}T00:00:00Z&to=${to}T00:00:00Z`;
    const seen: string[] = [];
    const onReq = (r: { url(): string }) => {
      if (r.url().includes('/api/v1/responses')) seen.push(r.url());
    };
    page.on('request', onReq);
    timings.feedback = await open('/feedback?department=delivery&sentiment=negative&topic=delivery');
    page.off('request', onReq);
    assert.ok(
      seen.some((u) => /department=delivery/.test(u) && /sentiment=negative/.test(u) && /topic=delivery/.test(u)),
      `the filters go to the server: ${seen.join(' ')}`,
    );
    const api = await get(
      `/api/v1/responses?${win}&department=delivery&sentiment=negative&topic=delivery&has_text=true&limit=100`,
    );
    assert.ok(api.items.length > 0, 'the demo has negative delivery texts');
    assert.equal(await page.locator('[data-testid=feedback-item]').count(), api.items.length);
    await both('feedback-filtered');
  });

  test('agents at phone width: names on one line, the table scrolls inside its card', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await open('/agents');
    // An inline link has one client rect per line it is broken over.
    const lines = await page.$$eval('[data-testid=agents-table] tbody td:first-child a', (as) =>
      as.map((a) => a.getClientRects().length),
    );
    assert.ok(lines.length > 0);
    assert.deepEqual([...new Set(lines)], [1], 'every agent name on one line');
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than a phone`);
    await shot('agents-names-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('no page or console errors along the way', () => {
    assert.deepEqual(errors, []);
  });
});
