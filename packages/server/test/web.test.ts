import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { defaultAnalyser } from '../src/analyser.js';
import { buildApp } from '../src/app.js';
import { type DemoLoaded, loadDemo } from '../src/demo.js';
import { TextAnalysisStep } from '../src/pipeline/analyse.js';
import { defaultWebDir } from '../src/static.js';

/**
 * The dashboard end to end: a real server in-process on PGlite with the demo org (300
 * customers), Debian's Chromium driven by playwright-core. Every page is opened at desktop and
 * phone size and screenshotted to test-artifacts/screenshots/; numbers on screen are checked
 * against the API's answers.
 */
const CHROMIUM = process.env.CANOPY_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const skip = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CANOPY_CHROMIUM)`;

const PAGES: [string, string][] = [
  ['overview', '/'],
  ['trends', '/trends'],
  ['journey', '/journey'],
  ['topics', '/topics'],
  ['drivers', '/drivers'],
  ['loyalty', '/loyalty'],
  ['customers', '/customers'],
  ['agents', '/agents'],
  ['departments', '/agents?view=departments&department=delivery'],
  ['feedback', '/feedback'],
];

const day = (d: Date) => d.toISOString().slice(0, 10);

describe('web dashboard in Chromium', { skip, timeout: 600_000 }, () => {
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let demo: DemoLoaded;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const timings: Record<string, number> = {};

  const api = async (path: string) => {
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${demo.apiKey}` } });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    return (await res.json()) as any;
  };
  // The page's default window: the last 90 days through today, `to` exclusive.
  const today = day(new Date());
  const from = day(new Date(Date.now() - 89 * 86_400_000));
  const to = day(new Date(Date.now() + 86_400_000));
  const win = `from=${from}T00:00:00Z&to=${to}T00:00:00Z`;

  /** Opens a path and waits until nothing on it is loading any more. */
  async function open(path: string): Promise<number> {
    const t0 = Date.now();
    await page.goto(base + path);
    await settle();
    return Date.now() - t0;
  }
  async function settle() {
    await page.waitForSelector('#main');
    await page.waitForFunction("!document.querySelector('.loading, .chart-loading')", null, { timeout: 30_000 });
  }
  async function shot(name: string) {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  before(async () => {
    assert.ok(existsSync(join(defaultWebDir(), 'index.html')), 'packages/web/dist is missing: run `npm run build`');
    mkdirSync(SHOTS, { recursive: true });
    store = await openStore({});
    demo = await loadDemo(store, { customers: 300, seed: 1, analysis: new TextAnalysisStep(defaultAnalyser()) });
    app = await buildApp({ store, analyser: defaultAnalyser() });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    profile = mkdtempSync(join(tmpdir(), 'canopy-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  });

  after(async () => {
    if (Object.keys(timings).length) console.log(`time to settled page (ms): ${JSON.stringify(timings)}`);
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await app?.close();
    await store?.close();
  });

  test('sign-in refuses a wrong password, then signs in with the demo login', async () => {
    await page.goto(base + '/');
    await page.waitForSelector('form[aria-labelledby="signin-title"]');
    await page.setViewportSize({ width: 375, height: 740 });
    await shot('signin-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot('signin-desktop');
    await page.fill('input[name=email]', demo.login.email);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('.signin [role=alert]');
    assert.match((await page.textContent('.signin [role=alert]')) ?? '', /wrong/);
    await page.fill('input[name=password]', demo.login.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=org-name]');
    assert.equal(await page.textContent('[data-testid=org-name]'), demo.name);
    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === 'canopy_session');
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
  });

  test('every page opens, at desktop and phone width, without errors', async () => {
    const errors: string[] = [];
    const onError = (e: Error) => errors.push(e.message);
    page.on('pageerror', onError);
    for (const [name, path] of PAGES) {
      await page.setViewportSize({ width: 1280, height: 800 });
      timings[name] = await open(path);
      assert.equal(await page.locator('.error[role=alert]').count(), 0, `${name} shows an error`);
      await shot(`${name}-desktop`);
      await page.setViewportSize({ width: 375, height: 740 });
      await settle();
      // Nothing wider than the phone: the page itself must not scroll sideways.
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      assert.ok(overflow <= 1, `${name} is ${overflow}px wider than a phone`);
      await shot(`${name}-phone`);
    }
    page.off('pageerror', onError);
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(errors, []);
  });

  test('overview numbers equal the API, and a filter lives in the URL', async () => {
    await open('/');
    const o = await api(`/api/v1/metrics/overview?${win}&granularity=week`);
    for (const [layer, k] of [
      ['experience', 'nps'],
      ['service', 'csat'],
      ['experience', 'sentiment'],
    ] as const) {
      const shown = await page.getAttribute(`[data-testid=kpi-${k}]`, 'data-value');
      assert.equal(Number(shown), o[layer][k].value, `${k} on the page vs the API`);
    }
    const nText = await page.textContent('[data-testid=kpi-row-nps] .n');
    assert.match(nText ?? '', new RegExp(`n = ${o.experience.nps.n.toLocaleString('en')}`));

    await page.selectOption('[data-testid=filter-department]', 'delivery');
    await page.waitForURL(/department=delivery/);
    await settle();
    const f = await api(`/api/v1/metrics/overview?${win}&granularity=week&department=delivery`);
    const shown = await page.getAttribute('[data-testid=kpi-csat]', 'data-value');
    assert.equal(shown === '' ? null : Number(shown), f.service.csat.value);
    await shot('overview-filtered-desktop');
    // The filter follows to the next page, and a reload keeps it.
    await page.click('nav >> text=Trends');
    await page.waitForURL(/\/trends\?.*department=delivery/);
    await page.reload();
    await settle();
    assert.equal(await page.inputValue('[data-testid=filter-department]'), 'delivery');
    const s = await api(`/api/v1/metrics/series?${win}&metric=nps&granularity=week&department=delivery&limit=8`);
    if (s.series.every((x: any) => x.total.n === 0)) {
      // No NPS answers at delivery's touchpoints: the page says so instead of drawing nothing.
      assert.match((await page.textContent('[data-testid=empty]')) ?? '', /No data for this measure/);
      await page.selectOption('[data-testid=trend-metric]', 'csat');
      await page.waitForURL(/metric=csat/);
      await settle();
      const c = await api(`/api/v1/metrics/series?${win}&metric=csat&granularity=week&department=delivery&limit=8`);
      const total = await page.getAttribute('[data-testid=trend-total]', 'data-value');
      assert.equal(Number(total), c.series[0].total.value);
    } else {
      const total = await page.getAttribute('[data-testid=trend-total]', 'data-value');
      assert.equal(total === '' ? null : Number(total), s.series[0].total.value);
    }
    await shot('trends-filtered-desktop');
  });

  test('a chart drills to the verbatims behind it, with the topic span marked', async () => {
    const t = await api(`/api/v1/metrics/topics?${win}`);
    const top = [...t.topics].sort((a: any, b: any) => b.mentions - a.mentions)[0];
    assert.ok(top && top.mentions > 0, 'the demo has topics');
    await open('/topics');
    await page.waitForSelector('[data-testid=topic-chart] svg');
    // Click the largest bar: it is drawn last (bars run bottom-up).
    const box = await page.locator('[data-testid=topic-chart]').boundingBox();
    assert.ok(box);
    const bars = page.locator('[data-testid=topic-chart] svg path[fill]').filter({ hasNot: page.locator('text') });
    let clicked = false;
    for (const b of await bars.all()) {
      const bb = await b.boundingBox();
      if (bb && bb.height > 5 && bb.height < 40 && bb.y < box.y + 40 && bb.width > 20) {
        await b.click();
        clicked = true;
        break;
      }
    }
    if (!clicked) await page.click(`[data-testid=topic-${top.key}]`);
    await page.waitForURL(new RegExp(`topic=${top.key.replace('.', '\\.')}`));
    await settle();
    await page.waitForSelector('[data-testid=verbatim]');
    const v = await api(`/api/v1/metrics/verbatims?${win}&topic=${top.key}&limit=20`);
    assert.equal(await page.locator('[data-testid=verbatim]').count(), v.items.length);
    await page.waitForSelector(`[data-testid=verbatims] mark[data-topic^="${top.key}"]`, { timeout: 10_000 });
    await shot('topics-drill-desktop');

    // Trend chart point → verbatims of that bucket.
    await open('/trends?metric=nps');
    await page.waitForSelector('[data-testid=trend-chart] svg');
    const chart = await page.locator('[data-testid=trend-chart]').boundingBox();
    assert.ok(chart);
    // Click along the middle of the plot until a point answers.
    for (
      let x = chart.x + chart.width - 30;
      x > chart.x + 60 && !(await page.locator('[data-testid=verbatims]').count());
      x -= 20
    ) {
      for (const y of [0.3, 0.45, 0.6, 0.75]) {
        await page.mouse.click(x, chart.y + chart.height * y);
        if (await page.locator('[data-testid=verbatims]').count()) break;
      }
    }
    await page.waitForSelector('[data-testid=verbatims]');
    await settle();
    await shot('trends-drill-desktop');
  });

  test('a customer timeline shows their whole history across departments', async () => {
    const list = await api('/api/v1/customers?limit=50');
    let chosen: { id: string; n: number } | null = null;
    for (const c of list.items) {
      const tl = await api(`/api/v1/customers/${c.id}/timeline?limit=500&order=desc`);
      if (!chosen || tl.items.length > chosen.n) chosen = { id: c.id, n: tl.items.length };
      if (chosen.n > 15) break;
    }
    assert.ok(chosen);
    const name = list.items.find((c: any) => c.id === chosen!.id).name as string;
    await open('/customers');
    await page.fill('[data-testid=customer-search]', name);
    await page.waitForURL(/q=/);
    await settle();
    await page.click(`[data-testid=customers-table] a[href="/customers/${chosen.id}"]`);
    await page.waitForURL(new RegExp(`/customers/${chosen.id}`));
    await settle();
    assert.equal(await page.locator('[data-testid=timeline-item]').count(), chosen.n);
    assert.ok(await page.locator('[data-testid=health-score]').count(), 'a health score is shown');
    await shot('customer-desktop');
    await page.setViewportSize({ width: 375, height: 740 });
    await shot('customer-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('feedback explorer: sentiment chip filters, CSV export downloads', async () => {
    await open('/feedback?sentiment=negative');
    const labels = await page.locator('[data-testid=feedback-item] .chip-negative').count();
    assert.ok(labels > 0, 'negative texts are shown');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    const path = await download.path();
    assert.ok(path);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(path, 'utf8');
    assert.match(csv.split('\r\n')[0]!, /^id,kind,at,customer_id/);
    assert.ok(csv.split('\r\n').length > 2);
    assert.match(today, /^\d{4}/);
  });

  test('sign out ends the session', async () => {
    await open('/');
    await page.click('[data-testid=sign-out]');
    await page.waitForSelector('form[aria-labelledby="signin-title"]');
    const res = await page.evaluate("fetch('/api/v1/me').then((r) => r.status)");
    assert.equal(res, 401);
  });
});
