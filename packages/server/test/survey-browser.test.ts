import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { eachStore } from './harness.js';
import { SURVEY } from './survey-helpers.js';
import { CHROMIUM, launchChromium } from './web-browser.js';

process.env.CANOPY_SURVEY_TICK_MS = '0';

/**
 * Surveys in a real browser (Debian's Chromium via playwright-core): a hosted survey answered at
 * phone size with keyboard and touch, and the widget embedded in a page on another loopback
 * origin, triggered by a click, answered, and its response read back from the API.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const WIDGET = join(ROOT, 'packages', 'widget', 'dist', 'canopy.js');
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

let context: BrowserContext;
let profile: string;
let site: Server;
let siteBase = '';
let sitePage = '';

before(async () => {
  if (skip) return;
  assert.ok(existsSync(WIDGET), 'packages/widget/dist/canopy.js is missing: run `npm run build`');
  mkdirSync(SHOTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'canopy-chromium-'));
  context = await launchChromium(profile, { width: 375, height: 740 });
  // The customer's own website, on another origin.
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(sitePage);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const a = site.address();
  siteBase = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
});

async function newPage(): Promise<Page> {
  const p = await context.newPage();
  p.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  return p;
}

eachStore('surveys in the browser', (env) => {
  it('answers a hosted survey at phone size (375×740), keyboard and touch, follow-up shown by score', {
    skip,
  }, async () => {
    const { key } = await env().newOrg();
    await env().api('POST', '/api/v1/surveys', key, SURVEY);
    const inv = await env().api('POST', '/api/v1/surveys/after-chat/invitations', key, {
      customer_email: 'lia@example.com',
      channel: 'link',
    });
    const page = await newPage();
    try {
      const t0 = Date.now();
      await page.goto(inv.body.results[0].url);
      const loadMs = Date.now() - t0;
      assert.ok(loadMs < 3000, `page loaded in ${loadMs} ms`);
      // Mobile-first: nothing wider than the phone.
      assert.ok(await page.evaluate('document.documentElement.scrollWidth <= 375'), 'no horizontal scroll');
      // Every control has a label.
      const unlabelled = await page.evaluate(
        `[...document.querySelectorAll('input:not([type=hidden]),textarea')].filter(
          (e) => !e.closest('label') && !document.querySelector('label[for="' + e.id + '"]')).length`,
      );
      assert.equal(unlabelled, 0);
      const reason = page.locator('#q-reason');
      assert.equal(await reason.isHidden(), true, 'the follow-up waits for a score');
      // Keyboard: focus the scale, move with the arrow keys (native radio group).
      await page.focus('input[name="a.nps"][value="0"]');
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
      assert.equal(await page.locator('input[name="a.nps"][value="4"]').isChecked(), true);
      assert.equal(await reason.isVisible(), true, 'a low score asks for the reason');
      await page.fill('#q-reason-in', 'Waited forty minutes and nobody called back');
      await page.screenshot({ path: join(SHOTS, 'survey-hosted-phone.png'), fullPage: true });
      await Promise.all([page.waitForURL(/page=2/), page.click('button[type=submit]')]);
      // Touch the expectation scale and two choices.
      await page.click('label.opt:has(input[name="a.expect"][value="2"])');
      await page.click('label.choice:has-text("Chat")');
      await page.click('label.choice:has-text("Phone")');
      await Promise.all([page.waitForURL(/\/done\?/), page.click('button[type=submit]')]);
      assert.match((await page.textContent('h1')) ?? '', /Thank you for helping us improve/);
      await page.screenshot({ path: join(SHOTS, 'survey-hosted-done-phone.png') });
    } finally {
      await page.close();
    }
    const list = await env().api('GET', '/api/v1/responses?survey=after-chat', key);
    assert.equal(list.body.items.length, 1);
    const r = list.body.items[0];
    assert.deepEqual(
      r.answers.map((a: { field: string; value: unknown }) => [a.field, a.value]),
      [
        ['contact', ['chat', 'phone']],
        ['expect', 2],
        ['nps', 4],
        ['reason', 'Waited forty minutes and nobody called back'],
      ],
    );
    assert.equal(r.analysis[0].sentiment.label, 'negative');
  });

  it('shows the widget on a click trigger on an allowed origin; the answer reaches the API with its analysis', {
    skip,
  }, async () => {
    const { key } = await env().newOrg();
    const settings = await env().api('PUT', '/api/v1/survey-settings', key, {
      throttle_days: 30,
      allowed_origins: [siteBase],
    });
    const pk = settings.body.public_key;
    // The shop's backend signs the visitor's identity (what a site does so no one can answer as Max).
    const maxHash = createHmac('sha256', settings.body.identity_secret).update('max@example.com').digest('hex');
    const customer = await env().api('POST', '/api/v1/customers', key, {
      customer_email: 'max@example.com',
      name: 'Max',
    });
    await env().api('POST', '/api/v1/surveys', key, {
      key: 'checkout',
      name: 'Checkout',
      touchpoint: 'invoice',
      questions: [
        { id: 'ces', type: 'ces', text: 'How easy was it to pay?', low_label: 'Very hard', high_label: 'Very easy' },
        { id: 'why', type: 'text', text: 'What made it hard?', show_if: { question: 'ces', max: 4 } },
      ],
      endings: [{ id: 'bye', title: 'Thanks, Max!' }],
      widget: { triggers: [{ on: 'click', selector: '#pay' }] },
    });
    sitePage = `<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width"><title>Shop</title></head>
<body><h1>Your basket</h1><button id="pay">Pay now</button>
<script>window.canopy=window.canopy||function(){(canopy.q=canopy.q||[]).push(arguments)};canopy('identify',{email:'max@example.com',user_hash:'${maxHash}'});</script>
<script async src="${env().base}/widget.js" data-key="${pk}"></script></body></html>`;

    // Another origin is refused.
    const evil = await fetch(`${env().base}/api/v1/widget/display?key=${pk}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ survey: 'x' }),
    });
    assert.equal(evil.status, 403);

    const page = await newPage();
    try {
      await page.goto(siteBase + '/');
      await page.waitForFunction("typeof window.canopy === 'function' && !window.canopy.q");
      assert.equal(await page.locator('[data-canopy-survey]').count(), 0, 'nothing until the trigger fires');
      await page.click('#pay');
      const dialog = page.locator('[data-canopy-survey] [role=dialog]');
      await dialog.waitFor();
      assert.match((await dialog.locator('h2').textContent()) ?? '', /How easy was it to pay\?/);
      await page.screenshot({ path: join(SHOTS, 'survey-widget-phone.png') });
      await dialog.locator('button[data-value="2"]').click();
      await dialog.locator('textarea').fill('The card form kept rejecting my card, very frustrating');
      await dialog.locator('button.go').click();
      await page.locator('[data-canopy-survey] h2:has-text("Thanks, Max!")').waitFor();
    } finally {
      await page.close();
    }
    let r: any;
    for (let i = 0; i < 50 && !r?.answers?.find((a: { field: string }) => a.field === 'why'); i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = (await env().api('GET', '/api/v1/responses?survey=checkout', key)).body.items[0];
    }
    assert.equal(r.source, 'widget');
    assert.equal(r.customer_id, customer.body.id);
    assert.equal(r.touchpoint, 'invoice');
    assert.deepEqual(
      r.answers.map((a: { field: string; value: unknown }) => [a.field, a.value]),
      [
        ['ces', 2],
        ['why', 'The card form kept rejecting my card, very frustrating'],
      ],
    );
    assert.equal(r.analysis[0].field, 'why');
    assert.equal(r.analysis[0].sentiment.label, 'negative');
    const funnel = await env().api('GET', '/api/v1/surveys/checkout/funnel?group_by=channel', key);
    assert.deepEqual(
      [funnel.body.groups[0].channel, funnel.body.groups[0].sent, funnel.body.groups[0].completed],
      ['widget', 1, 1],
    );
    // The same customer is not asked again within the throttle window.
    const again = await fetch(`${env().base}/api/v1/widget/display?key=${pk}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: siteBase },
      body: JSON.stringify({
        survey: (await env().api('GET', '/api/v1/surveys/checkout', key)).body.slug,
        customer: { email: 'max@example.com', user_hash: maxHash },
      }),
    });
    assert.deepEqual(await again.json(), { show: false, reason: 'throttled', identity: 'verified' });
  });
});
