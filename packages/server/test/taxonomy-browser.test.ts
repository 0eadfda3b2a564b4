import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eachStore, type TestEnv } from './harness.js';
import { CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, SHOTS, signInAt, skipWithoutChromium } from './web-browser.js';

/**
 * The Taxonomy page in Debian's Chromium, on a fresh org (no demo load): an analyst sees
 * Canopy's default tree, is stopped at a bad key, adds a sub-topic with phrases, edits and saves
 * (checked through the API), sees the server's refusal at the right topic with nothing saved,
 * tries a text and sees the new topic marked, and trains an intents model from a JSON Lines file
 * (malformed files are refused with their line numbers before anything is sent). A viewer reads
 * the same page without any control that changes it. Desktop and phone width, no page errors.
 */
const PASSWORD = 'correct horse battery';
const skip = skipWithoutChromium;

let browser: Browser;
before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});
after(async () => browser?.close());

/** Page errors and console errors, less the 422s and the 412 this test provokes on purpose. */
async function signedIn(env: TestEnv, email: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 41?2/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => d.accept());
  await signInAt(page, `${env.base}/taxonomy`, email, PASSWORD);
  await page.waitForSelector('[data-testid=taxonomy-tree]');
  return { page, errors };
}

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  assert.ok(overflow <= 1, `${what}: the page is ${overflow}px wider than the window`);
}

const topic = (key: string) => `[data-testid=taxonomy-tree] li[data-topic="${key}"]`;

const jsonl = (rows: unknown[]) => Buffer.from(`${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
const INTENTS = Array.from({ length: 20 }, (_, i) => [
  { text: `please refund my money for order ${i}`, label: 'refund' },
  { text: `where is my parcel ${i}, the tracking says nothing`, labels: ['track_order'] },
]).flat();

eachStore('taxonomy page in a browser', (env) => {
  it('an analyst edits the taxonomy, tries a text and trains a model; a viewer only reads', { skip }, async () => {
    const { key } = await env().newOrg();
    const stamp = Date.now().toString(36);
    const analystEmail = `analyst-${stamp}@example.com`;
    const viewerEmail = `viewer-${stamp}@example.com`;
    for (const [email, role] of [
      [analystEmail, 'analyst'],
      [viewerEmail, 'viewer'],
    ]) {
      const r = await env().api('POST', '/api/v1/users', key, { email, name: role, role, password: PASSWORD });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    // Two texts stored before the taxonomy changes.
    const stored = await env().api('POST', '/api/v1/interactions', key, [
      {
        customer_email: 'a@example.com',
        kind: 'ticket',
        channel: 'email',
        text: 'No signal at home, calls keep dropping.',
        opened_at: '2026-05-01T10:00:00Z',
      },
      {
        customer_email: 'b@example.com',
        kind: 'ticket',
        channel: 'email',
        text: 'The parcel arrived late.',
        opened_at: '2026-05-02T10:00:00Z',
      },
    ]);
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    const taxonomy = async () => (await env().api('GET', '/api/v1/taxonomy', key)).body;
    const def = await taxonomy();
    assert.equal(def.source, 'default');

    const analyst = await signedIn(env(), analystEmail);
    const { page } = analyst;
    try {
      // Canopy's default, as a tree: sub-topics inside their parent.
      assert.match(await page.innerText('[data-testid=taxonomy-source]'), /Canopy's default taxonomy/);
      assert.equal(await page.locator('[data-testid=taxonomy-tree] li[data-topic]').count(), def.topics.length);
      assert.equal(await page.locator(`${topic('service')} li[data-topic="service.staff_attitude"]`).count(), 1);
      // Long phrase lists are abbreviated with their count; all of them are one click away.
      const attitude = page.locator(`${topic('service.staff_attitude')} .tax-topic`);
      assert.match(await attitude.innerText(), /\d+ phrases: .* and \d+ more/);
      assert.doesNotMatch(await attitude.innerText(), /~nice/);
      await attitude.locator('summary').click();
      assert.match(await attitude.innerText(), /~nice/);
      assert.equal(await page.getAttribute('[data-testid=taxonomy-save]', 'aria-disabled'), 'true', 'nothing to save');
      // Every control is named by a label.
      const unlabelled = await page.evaluate(
        `[...document.querySelectorAll('#main input, #main select, #main textarea')].filter(
          (e) => !e.closest('label') && !document.querySelector('label[for="' + e.id + '"]') && !e.getAttribute('aria-label')).length`,
      );
      assert.equal(unlabelled, 0, 'unlabelled controls');

      // A bad key is refused at its field; nothing is added.
      await page.fill('[data-testid=add-key]', 'Bad Key');
      await page.fill('[data-testid=add-label]', 'Bad');
      await page.click('[data-testid=add-submit]');
      assert.match(await page.innerText('[data-testid=add-topic] .field.has-error'), /lower-case/);
      assert.equal(await page.locator('li[data-topic="Bad Key"]').count(), 0);

      // A sub-topic of Service: the key starts with the parent's, 7P and owner follow it.
      await page.fill('[data-testid=add-key]', '');
      await page.selectOption('[data-testid=add-parent]', 'service');
      assert.equal(await page.inputValue('[data-testid=add-key]'), 'service.');
      await page.fill('[data-testid=add-key]', 'service.queue_jumping');
      await page.fill('[data-testid=add-label]', 'Queue jumping');
      await page.fill('[data-testid=add-phrases]', 'queue jump\npushed in front\n');
      await page.click('[data-testid=add-submit]');
      await page.waitForSelector(`${topic('service')} li[data-topic="service.queue_jumping"]`);
      assert.match(await page.innerText(topic('service.queue_jumping')), /new, unsaved/);
      assert.match(await page.innerText('[data-testid=taxonomy-save-bar]'), /Unsaved changes: 1 added/);
      await page.screenshot({ path: join(SHOTS, 'taxonomy-edit-added-desktop.png') });
      assert.equal((await taxonomy()).source, 'default', 'nothing sent before Save');

      await page.click('[data-testid=taxonomy-save]');
      await page.waitForSelector('[data-testid=taxonomy-saved]');
      let saved = await taxonomy();
      assert.equal(saved.source, 'org');
      assert.equal(saved.topics.length, def.topics.length + 1);
      const service = def.topics.find((t: { key: string }) => t.key === 'service');
      assert.deepEqual(
        saved.topics.find((t: { key: string }) => t.key === 'service.queue_jumping'),
        {
          key: 'service.queue_jumping',
          label: 'Queue jumping',
          parent: 'service',
          sevenP: service.sevenP,
          department: service.department,
          phrases: ['queue jump', 'pushed in front'],
        },
      );
      assert.match(await page.innerText('[data-testid=taxonomy-source]'), /own taxonomy, last saved/);
      assert.equal(await page.locator(`${topic('service.queue_jumping')} .chip-warn`).count(), 0, 'saved');

      // Edit with the keyboard: open the topic, change its 7P and label, save.
      await page.focus(`${topic('service.queue_jumping')} [data-testid=topic-edit]`);
      await page.keyboard.press('Enter');
      const edit = page.locator(`${topic('service.queue_jumping')} > .tax-topic`);
      await edit.locator('[data-testid=topic-label]').waitFor();
      await edit.locator('[data-testid=topic-label]').fill('Queue jumping in store');
      await edit.locator('[data-testid=topic-sevenp]').selectOption('people');
      await page.click('[data-testid=taxonomy-save]');
      await page.waitForSelector('[data-testid=taxonomy-saved]');
      saved = await taxonomy();
      const qj = saved.topics.find((t: { key: string }) => t.key === 'service.queue_jumping');
      assert.equal(qj.label, 'Queue jumping in store');
      assert.equal(qj.sevenP, 'people');

      // The server refuses a phrase over 200 characters: its reason shows at that topic, nothing is saved.
      // Its form stays open after the save.
      await edit.locator('[data-testid=topic-phrases]').fill(`queue jump\n${'x'.repeat(201)}`);
      await page.click('[data-testid=taxonomy-save]');
      await page.waitForSelector('[data-testid=taxonomy-error]');
      const fieldError = await edit.locator('.field-error').innerText();
      assert.match(fieldError, /line 2/);
      assert.match(fieldError, /200/);
      assert.match(
        await page.innerText('[data-testid=taxonomy-problems]'),
        /Queue jumping in store \(service\.queue_jumping\)/,
      );
      await page.screenshot({ path: join(SHOTS, 'taxonomy-edit-refused-desktop.png') });
      assert.deepEqual(await taxonomy(), saved, 'nothing saved');

      // A parent cannot be removed; a leaf can, and Discard brings it back.
      await page.click(`${topic('marketing')} > .tax-topic [data-testid=topic-edit]`);
      assert.match(await page.innerText(`${topic('marketing')} > .tax-topic`), /remove its \d+ sub-topics first/);
      assert.equal(await page.locator(`${topic('marketing')} > .tax-topic [data-testid=topic-remove]`).count(), 0);
      await page.click(`${topic('marketing.spam')} [data-testid=topic-edit]`);
      await page.click(`${topic('marketing.spam')} [data-testid=topic-remove]`);
      assert.equal(await page.locator(topic('marketing.spam')).count(), 0);
      assert.match(await page.innerText('[data-testid=taxonomy-save-bar]'), /1 changed, 1 removed/);
      await page.click('[data-testid=taxonomy-discard]');
      assert.equal(await page.locator(topic('marketing.spam')).count(), 1);
      assert.equal(await page.getAttribute('[data-testid=taxonomy-save]', 'aria-disabled'), 'true');
      assert.deepEqual(await taxonomy(), saved, 'still nothing saved');

      // Someone else saves while this page edits: the page's save is refused, their version comes
      // into the editor with this page's change on top, and saving again keeps both.
      await page.click(`${topic('service.queue_jumping')} [data-testid=topic-edit]`);
      await edit.locator('[data-testid=topic-phrases]').fill('queue jump\npushed in front\ncut the line');
      const theirs = await env().api('GET', '/api/v1/taxonomy', key);
      const theirTopics = theirs.body.topics.map((t: { key: string; phrases: string[] }) =>
        t.key === 'marketing.spam' ? { ...t, phrases: [...t.phrases, 'junk mail'] } : t,
      );
      const put = await env().api(
        'PUT',
        '/api/v1/taxonomy',
        key,
        { topics: theirTopics },
        {
          'if-match': theirs.headers.get('etag')!,
        },
      );
      assert.equal(put.status, 200, JSON.stringify(put.body));
      await page.click('[data-testid=taxonomy-save]');
      await page.waitForSelector('[data-testid=taxonomy-error]');
      assert.match(
        await page.innerText('[data-testid=taxonomy-error]'),
        /someone else saved the taxonomy at .* after you opened it/,
      );
      assert.match(await page.innerText('[data-testid=taxonomy-save-bar]'), /Unsaved changes: 1 changed/);
      await page.screenshot({ path: join(SHOTS, 'taxonomy-edit-conflict-desktop.png') });
      assert.deepEqual((await taxonomy()).topics, put.body.topics, 'the refused save changed nothing');
      await page.click('[data-testid=taxonomy-save]');
      await page.waitForSelector('[data-testid=taxonomy-saved]');
      saved = await taxonomy();
      assert.equal(saved.revision, put.body.revision + 1);
      assert.deepEqual(saved.topics.find((t: { key: string }) => t.key === 'service.queue_jumping').phrases, [
        'queue jump',
        'pushed in front',
        'cut the line',
      ]);
      assert.ok(saved.topics.find((t: { key: string }) => t.key === 'marketing.spam').phrases.includes('junk mail'));

      // An industry pack: its topics join the list in one step, saved on Save; then there is nothing left to add.
      await page.selectOption('[data-testid=pack-select]', 'telecom');
      assert.match(
        await page.innerText('[data-testid=pack-preview]'),
        // Nine names for nine topics, each quoted (one holds a comma).
        /^Adds 9 topics: “Telecom and internet” \(telecom\) and, under it, “Coverage and signal”, “Internet speed”, .*“Router, SIM and devices”.*“Number porting and switching”\./,
      );
      await page.locator('[data-testid=add-pack-card]').screenshot({ path: join(SHOTS, 'taxonomy-pack-desktop.png') });
      await page.click('[data-testid=pack-add]');
      assert.match(
        await page.innerText('[data-testid=taxonomy-note]'),
        /Added 9 topics of the Telecom and internet pack/,
      );
      assert.match(await page.innerText('[data-testid=taxonomy-save-bar]'), /Unsaved changes: 9 added/);
      assert.equal(await page.locator(`${topic('telecom')} li[data-topic="telecom.coverage"]`).count(), 1);
      assert.match(await page.innerText('[data-testid=pack-preview]'), /already has every topic/);
      assert.equal(await page.getAttribute('[data-testid=pack-add]', 'aria-disabled'), 'true');
      await page.click('[data-testid=pack-add]', { force: true });
      assert.match(await page.innerText('[data-testid=taxonomy-save-bar]'), /Unsaved changes: 9 added/, 'added once');
      // Leaving with unsaved changes asks first; staying keeps them.
      page.removeAllListeners('dialog');
      let asked = '';
      page.once('dialog', (d) => {
        asked = d.message();
        void d.dismiss();
      });
      await page.click('nav a[href^="/topics"]');
      assert.match(asked, /not saved/);
      assert.equal(new URL(page.url()).pathname, '/taxonomy');
      assert.match(await page.innerText('[data-testid=taxonomy-save-bar]'), /Unsaved changes: 9 added/, 'still there');
      page.on('dialog', (d) => d.accept());
      await page.click('[data-testid=taxonomy-save]');
      await page.waitForSelector('[data-testid=taxonomy-saved]');
      saved = await taxonomy();
      assert.ok(saved.topics.some((t: { key: string }) => t.key === 'telecom.roaming'));

      // The stored texts had their topics found with the earlier taxonomy: apply the saved one to them.
      await page.waitForSelector('[data-testid=reanalysis-stale]');
      assert.match(await page.innerText('[data-testid=reanalysis-stale]'), /2 of 2 stored texts/);
      await page.click('[data-testid=reanalysis-start]');
      await page.waitForSelector('[data-testid=reanalysis-done]');
      assert.match(await page.innerText('[data-testid=reanalysis-done]'), /All 2 stored texts/);
      const st = (await env().api('GET', '/api/v1/taxonomy/reanalysis', key)).body;
      assert.deepEqual([st.stale, st.job], [0, null]);

      // Try it: the new phrase finds the new topic, marked in the text.
      await page.fill('[data-testid=try-text]', 'Someone tried to queue jump at the counter and the staff were rude.');
      await page.click('[data-testid=try-submit]');
      const mark = page.locator('[data-testid=try-result] mark[data-topic="service.queue_jumping"]');
      await mark.waitFor();
      assert.equal(await mark.innerText(), 'queue jump');
      assert.match(
        await page.innerText('[data-testid=try-topics] tr[data-topic="service.queue_jumping"]'),
        /Queue jumping in store[\s\S]*“queue jump”/,
      );
      assert.match(await page.innerText('[data-testid=try-result]'), /negative/);
      await page.screenshot({ path: join(SHOTS, 'taxonomy-edit-try-desktop.png') });

      // Training: malformed files are refused with their line numbers, and nothing is sent.
      const bad = Buffer.from(
        [
          JSON.stringify(INTENTS[0]),
          JSON.stringify(INTENTS[1]),
          '{"text": "where is it"',
          JSON.stringify(INTENTS[2]),
        ].join('\n'),
      );
      await page.setInputFiles('[data-testid=train-file]', {
        name: 'bad.jsonl',
        mimeType: 'application/x-ndjson',
        buffer: bad,
      });
      assert.match(await page.locator('[data-testid=train-file-error]').innerText(), /Line 3: not valid JSON/);
      assert.equal(await page.isDisabled('[data-testid=train-submit]'), true);
      await page.setInputFiles('[data-testid=train-file]', {
        name: 'bad.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('text,label\n"fine, quoted",refund\nnot, quoted, here,refund\n'),
      });
      assert.match(await page.locator('[data-testid=train-file-error]').innerText(), /Line 3: 4 fields/);
      await page.setInputFiles('[data-testid=train-file]', {
        name: 'intents.jsonl',
        mimeType: 'application/x-ndjson',
        buffer: jsonl(INTENTS),
      });
      assert.match(
        await page.locator('[data-testid=train-summary]').innerText(),
        /intents\.jsonl: 40 examples, 2 labels — refund \(20\), track_order \(20\)/,
      );
      // The wrong kind: the server's refusal names the file's lines.
      await page.selectOption('[data-testid=train-kind]', 'sentiment');
      await page.click('[data-testid=train-submit]');
      assert.match(
        await page.locator('[data-testid=train-error]').innerText(),
        /Line 1: 'refund' is not one of negative, neutral, positive/,
      );
      assert.deepEqual((await env().api('GET', '/api/v1/text-models', key)).body.items, []);
      await page.selectOption('[data-testid=train-kind]', 'intents');
      await page.click('[data-testid=train-submit]');
      await page.waitForSelector('[data-testid=train-result]');
      const models = (await env().api('GET', '/api/v1/text-models', key)).body.items;
      assert.equal(models.length, 1);
      assert.equal(models[0].kind, 'intents');
      assert.equal(models[0].examples, 40);
      const row = page.locator(`[data-testid=models-table] tr[data-model="${models[0].id}"]`);
      await row.waitFor();
      assert.match(await row.innerText(), /Intents[\s\S]*active[\s\S]*40[\s\S]*2/);
      await page.screenshot({ path: join(SHOTS, 'taxonomy-edit-trained-desktop.png'), fullPage: true });

      // The trained intent shows in Try it.
      await page.fill('[data-testid=try-text]', 'please refund my money for the order');
      await page.click('[data-testid=try-submit]');
      await page.waitForSelector('[data-testid=try-result] >> text=intent: refund');

      await page.setViewportSize(PHONE);
      await noSidewaysScroll(page, 'analyst at phone width');
      await page.click(`${topic('service.queue_jumping')} [data-testid=topic-edit]`);
      await noSidewaysScroll(page, 'analyst at phone width, editing');
      await page.screenshot({ path: join(SHOTS, 'taxonomy-edit-phone.png'), fullPage: true });
      await page.setViewportSize(DESKTOP);

      // Back to Canopy's default: offered once the org has its own, saved only on Save.
      await page.click('[data-testid=taxonomy-reset]');
      assert.match(await page.innerText('[data-testid=taxonomy-save-bar]'), /Unsaved changes: 1 changed, 10 removed/);
      assert.equal(await page.locator(topic('service.queue_jumping')).count(), 0);
      assert.equal((await taxonomy()).topics.length, def.topics.length + 10, 'not saved yet');
      await page.click('[data-testid=taxonomy-save]');
      await page.waitForSelector('[data-testid=taxonomy-saved]');
      assert.deepEqual((await taxonomy()).topics, def.topics);
      assert.deepEqual(analyst.errors, []);
    } finally {
      await page.context().close();
    }

    // A viewer reads the tree and the models, with nothing to change them.
    const viewer = await signedIn(env(), viewerEmail);
    try {
      const v = viewer.page;
      assert.match(await v.innerText('[data-testid=taxonomy-source]'), /own taxonomy/);
      assert.match(await v.innerText('[data-testid=taxonomy]'), /changing it needs the owner, admin or analyst role/);
      await v.waitForSelector(`${topic('service')} li[data-topic="service.staff_attitude"]`);
      for (const control of ['topic-edit', 'add-topic', 'taxonomy-save', 'taxonomy-reset', 'train-form']) {
        assert.equal(await v.locator(`[data-testid=${control}]`).count(), 0, `a viewer has no ${control}`);
      }
      await v.waitForSelector('[data-testid=models-table] tr[data-kind=intents]');
      // Trying a text stores nothing, so a viewer may.
      assert.equal(await v.locator('[data-testid=try-text]').count(), 1, 'a viewer may try a text');
      await v.setViewportSize(PHONE);
      await noSidewaysScroll(v, 'viewer at phone width');
      await v.screenshot({ path: join(SHOTS, 'taxonomy-viewer-phone.png') });
      assert.deepEqual(viewer.errors, []);
    } finally {
      await viewer.page.context().close();
    }
  });
});
