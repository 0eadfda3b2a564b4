import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { defaultAnalyser } from '../src/analyser.js';
import { type AppOptions, buildApp } from '../src/app.js';
import { type DemoLoaded, loadDemo } from '../src/demo.js';
import { TextAnalysisStep } from '../src/pipeline/analyse.js';
import { defaultWebDir } from '../src/static.js';

/**
 * What the browser tests share: the demo org at the size `npm start` loads (1,500 customers,
 * ~95k records, text analysed), a server on it, Debian's Chromium, screenshots and page timings
 * under test-artifacts/ (git-ignored).
 */
// An empty setting counts as unset.
export const CHROMIUM = process.env.CANOPY_CHROMIUM || process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const SHOTS = join(ARTIFACTS, 'screenshots');
export const skipWithoutChromium = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CANOPY_CHROMIUM)`;
/** The size `npm start` loads (CANOPY_DEMO_CUSTOMERS, default 1,500): what a new user sees. */
export const DEMO_CUSTOMERS = Number(
  process.env.CANOPY_TEST_DEMO_CUSTOMERS ?? process.env.CANOPY_DEMO_CUSTOMERS ?? 1500,
);
export const DESKTOP = { width: 1280, height: 800 };

/** Headless Chromium as CI runs it; the background-networking flags keep it off this closed network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium with its own profile folder, at the given window size. */
export function launchChromium(profile: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: CHROMIUM_ARGS,
  });
}
export const PHONE = { width: 390, height: 844 };

export interface Browsing {
  store: Store;
  app: FastifyInstance;
  base: string;
  demo: DemoLoaded;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors since the start. */
  errors: string[];
  close(): Promise<void>;
}

export async function startBrowsing(appOptions: Omit<AppOptions, 'store'> = {}): Promise<Browsing> {
  assert.ok(existsSync(join(defaultWebDir(), 'index.html')), 'packages/web/dist is missing: run `npm run build`');
  mkdirSync(SHOTS, { recursive: true });
  const store = await openStore({});
  const demo = await loadDemo(store, {
    customers: DEMO_CUSTOMERS,
    seed: 1,
    analysis: new TextAnalysisStep(defaultAnalyser(), { store }),
  });
  const app = await buildApp({ store, analyser: defaultAnalyser(), ...appOptions });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const profile = mkdtempSync(join(tmpdir(), 'canopy-chromium-'));
  const context = await launchChromium(profile, DESKTOP);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${page.url()})`);
  });
  page.on('dialog', (d) => d.accept());
  return {
    store,
    app,
    base,
    demo,
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      await app.close();
      await store.close();
    },
  };
}

/** Waits until the page's main area is there and nothing on it is loading. */
export async function settle(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForSelector('#main', { timeout });
  try {
    await page.waitForFunction("!document.querySelector('.loading, .chart-loading')", null, { timeout });
  } catch (e) {
    const stuck = await page.evaluate(
      "[...document.querySelectorAll('.loading, .chart-loading')].map((x) => x.parentElement.outerHTML.slice(0, 300)).join(' | ')",
    );
    throw new Error(`${page.url()} still loading: ${stuck}`, { cause: e });
  }
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export async function signIn(b: Browsing, email = b.demo.login.email, password = b.demo.login.password) {
  await b.page.goto(`${b.base}/`);
  await b.page.waitForSelector('form[aria-labelledby="signin-title"]');
  await submitSignIn(b.page, email, password);
}

/** Opens `url` (a page behind sign-in) and signs in on the form it shows first. */
export async function signInAt(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('input[name=email]', { timeout: 20_000 });
  await submitSignIn(page, email, password);
}

async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=org-name]');
}

/** An API call with the demo's key: status and parsed body. */
export async function call(b: Browsing, method: string, path: string, body?: unknown) {
  const res = await fetch(b.base + path, {
    method,
    headers: {
      authorization: `Bearer ${b.demo.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null } as { status: number; body: any };
}

export async function get(b: Browsing, path: string): Promise<any> {
  const r = await call(b, 'GET', path);
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface PageTiming {
  path: string;
  /** Full load (new document) to settled, first time and again. */
  first_ms: number;
  again_ms: number;
  /** Clicking the page's link in the app's navigation to settled. */
  nav_ms: number | null;
}

/** Writes the measured times next to the screenshots, as JSON and as a table to read. */
export function writeTimings(file: string, demo: DemoLoaded, timings: Record<string, PageTiming>): void {
  const machine = { cpus: cpus().length, load_per_core: Number((loadavg()[0]! / cpus().length).toFixed(2)) };
  const records = Object.values(demo.counts).reduce((a, b) => a + b, 0);
  writeFileSync(
    join(ARTIFACTS, `${file}.json`),
    JSON.stringify(
      { at: new Date().toISOString(), demo: { customers: DEMO_CUSTOMERS, records }, machine, pages: timings },
      null,
      2,
    ),
  );
  const rows = Object.entries(timings).map(
    ([k, t]) => `| ${k} | \`${t.path}\` | ${t.first_ms} | ${t.again_ms} | ${t.nav_ms ?? '—'} |`,
  );
  writeFileSync(
    join(ARTIFACTS, `${file}.md`),
    [
      `Time from navigation to a settled page (nothing loading), ms — demo org ${DEMO_CUSTOMERS.toLocaleString('en')} customers, ${records.toLocaleString('en')} records; ${machine.cpus} cores, load ${machine.load_per_core}/core; ${new Date().toISOString()}`,
      '',
      '| page | path | full load | full load again | in-app navigation |',
      '|---|---|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n'),
  );
}
