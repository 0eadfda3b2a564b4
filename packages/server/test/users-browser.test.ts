import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eachStore, type TestEnv } from './harness.js';
import { CHROMIUM, CHROMIUM_ARGS } from './web-browser.js';

/**
 * The Users page in Debian's Chromium, as an admin and as a viewer: add a user (a bad password
 * is refused at its field), change a role, see the change in the audit log; a viewer cannot
 * manage users and reads customers' words with personal data hidden.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'correct horse battery';

let browser: Browser;
before(async () => {
  if (skip) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});
after(async () => browser?.close());

async function signedIn(env: TestEnv, email: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => d.accept());
  await page.goto(`${env.base}/users`);
  try {
    await page.waitForSelector('input[name=email]', { timeout: 20_000 });
  } catch (e) {
    await page.screenshot({ path: join(SHOTS, 'users-signin-failed.png') });
    throw new Error(`no sign-in form at ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 500)}`, {
      cause: e,
    });
  }
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=org-name]');
  return { page, errors };
}

eachStore('users page in a browser', (env) => {
  it('offers no Remove on your own row nor on the last owner, and shows the server’s reason when refused', {
    skip,
  }, async () => {
    const { key } = await env().newOrg();
    const stamp = Date.now().toString(36);
    const add = async (role: string) => {
      const email = `${role}-${stamp}-${Math.random().toString(36).slice(2, 6)}@example.com`;
      const r = await env().api('POST', '/api/v1/users', key, { email, name: role, role, password: PASSWORD });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return { id: r.body.id as string, email };
    };
    const owner = await add('owner');
    const me = await add('admin');
    const other = await add('admin');
    const admin = await signedIn(env(), me.email);
    try {
      const { page } = admin;
      await page.waitForSelector('[data-testid=users-table]');
      const row = (u: { email: string }) => page.locator(`[data-user="${u.email}"]`);
      // Your own row: no Remove (the server would refuse it anyway); your role may still change.
      assert.equal(await row(me).locator('[data-testid=user-row-remove]').count(), 0);
      assert.match(
        (await row(me).locator('[data-testid=user-row-locked]').textContent()) ?? '',
        /cannot remove yourself/,
      );
      assert.equal(await row(me).locator('[data-testid=user-row-role]').isDisabled(), false);
      // Every cell of a row is a table cell of the row's height: the actions cell, a flex box
      // before, ended its row's border above the others'.
      for (const r of [me, owner, other]) {
        const cells = await row(r)
          .locator('td')
          .evaluateAll((tds) =>
            tds
              .filter((td) => td.getBoundingClientRect().width > 0)
              .map((td) => ({
                display: td.ownerDocument.defaultView!.getComputedStyle(td).display,
                bottom: Math.round(td.getBoundingClientRect().bottom),
              })),
          );
        assert.ok(
          cells.every((c) => c.display === 'table-cell'),
          JSON.stringify(cells),
        );
        assert.equal(new Set(cells.map((c) => c.bottom)).size, 1, JSON.stringify(cells));
      }
      // The owner's row: an admin changes no owner, and the last owner stays.
      assert.equal(await row(owner).locator('[data-testid=user-row-remove]').count(), 0);
      assert.equal(await row(owner).locator('[data-testid=user-row-role]').isDisabled(), true);
      assert.equal(await row(other).locator('[data-testid=user-row-remove]').count(), 1);

      // Meanwhile the other admin became an owner: the page's Remove is refused, in the server's words.
      assert.equal((await env().api('PATCH', `/api/v1/users/${other.id}`, key, { role: 'owner' })).status, 200);
      await row(other).locator('[data-testid=user-row-remove]').click();
      await page.waitForSelector('[data-testid=users-error]');
      assert.match(
        (await page.locator('[data-testid=users-error]').textContent()) ?? '',
        /only an owner may remove an owner/,
      );
      await page.waitForFunction(
        `document.querySelector('[data-user="${other.email}"] [data-testid=user-row-role]')?.value === 'owner'`,
      );
      assert.equal(await row(other).locator('[data-testid=user-row-remove]').count(), 0, 'the rows show it now');
      const users = (await env().api('GET', '/api/v1/users', key)).body.items;
      assert.equal(users.length, 3, 'nobody was removed');
      await page.screenshot({ path: join(SHOTS, 'users-own-row.png'), fullPage: true });
      assert.deepEqual(admin.errors, []);
    } finally {
      await admin.page.context().close();
    }
  });

  it('an admin adds a user, changes a role and sees it in the audit log; a viewer sees no personal data', {
    skip,
  }, async () => {
    const { key } = await env().newOrg();
    const stamp = Date.now().toString(36);
    const adminEmail = `admin-${stamp}@example.com`;
    const viewerEmail = `viewer-${stamp}@example.com`;
    for (const [email, role] of [
      [adminEmail, 'admin'],
      [viewerEmail, 'viewer'],
    ]) {
      const r = await env().api('POST', '/api/v1/users', key, { email, name: role, role, password: PASSWORD });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const sent = await env().api('POST', '/api/v1/responses', key, {
      customer_email: 'pia@example.net',
      touchpoint: 'delivery',
      submitted_at: new Date().toISOString(),
      answers: [
        { field: 'nps', type: 'nps', value: 1 },
        { field: 'why', type: 'text', value: 'Late again. Call me on +44 7700 900123 or write to pia@example.net' },
      ],
    });
    assert.ok(sent.status < 300, JSON.stringify(sent.body));

    const admin = await signedIn(env(), adminEmail);
    try {
      const { page } = admin;
      await page.waitForSelector('[data-testid=users-table]');
      assert.deepEqual(
        await page.locator('[data-user]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user'))),
        [adminEmail, viewerEmail],
      );
      const newEmail = `lee-${stamp}@example.com`;
      await page.fill('[data-testid=new-user-email]', newEmail);
      await page.fill('[data-testid=new-user-name]', 'Lee');
      await page.selectOption('[data-testid=new-user-role]', 'agent');
      await page.fill('[data-testid=new-user-password]', 'short');
      await page.click('[data-testid=new-user-submit]');
      await page.waitForSelector('[data-testid=new-user-error]');
      assert.match(await page.locator('.field.has-error').innerText(), /at least 10 characters/);
      // The line under the button names the field to fix by its label, in a sentence (it read
      // "nothing was written"); a taken email is marked on the email field.
      assert.equal(
        await page.textContent('[data-testid=new-user-error]'),
        'Nothing was saved: check “First password” (marked above).',
      );
      // The keyboard is on the field to fix.
      await page.waitForFunction(`document.activeElement?.dataset.testid === 'new-user-password'`);
      await page.fill('[data-testid=new-user-email]', adminEmail);
      await page.fill('[data-testid=new-user-password]', 'long enough password');
      await page.click('[data-testid=new-user-submit]');
      await page.waitForSelector('[data-testid=new-user-error]:has-text("Email")');
      assert.equal(
        await page.textContent('[data-testid=new-user-error]'),
        'Nothing was saved: check “Email” (marked above).',
      );
      assert.match((await page.locator('.field.has-error').textContent()) ?? '', /already a user/);
      await page.waitForFunction(`document.activeElement?.dataset.testid === 'new-user-email'`);
      await page.fill('[data-testid=new-user-email]', newEmail);
      // Changing one's own password with a wrong current one: an error, named by field, not a note.
      await page.fill('[data-testid=password-current]', 'not my password');
      await page.fill('[data-testid=password-new]', 'another long password');
      await page.click('[data-testid=password-submit]');
      await page.waitForSelector('[data-testid=password-error]');
      assert.equal(
        await page.textContent('[data-testid=password-error]'),
        'Your password was not changed: check “Current password” (marked above).',
      );
      assert.equal(await page.locator('[data-testid=password-note]').count(), 0);
      await page.waitForFunction(`document.activeElement?.dataset.testid === 'password-current'`);
      await page.fill('[data-testid=new-user-password]', 'long enough password');
      await page.click('[data-testid=new-user-submit]');
      await page.waitForSelector(`[data-user="${newEmail}"]`);

      await page.selectOption(`[data-user="${viewerEmail}"] [data-testid=user-row-role]`, 'analyst');
      await page.waitForFunction(
        // The select shows the new role at once; the audit list follows when the change is saved.
        `document.querySelector('[data-user="${viewerEmail}"] [data-testid=user-row-role]').value === 'analyst' && document.querySelectorAll('[data-testid=audit-entry]').length >= 4 && /changed the user/.test(document.querySelector('[data-testid=audit-entry]').innerText)`,
      );
      const users = (await env().api('GET', '/api/v1/users', key)).body.items;
      assert.equal(users.find((u: { email: string }) => u.email === viewerEmail).role, 'analyst');
      assert.equal(users.find((u: { email: string }) => u.email === newEmail).role, 'agent');
      const audit = await page.locator('[data-testid=audit-entry]').first().innerText();
      // The actor by name and email, the change in words: whose role, to what.
      assert.match(
        audit,
        new RegExp(
          `${adminEmail.replace(/[.]/g, '\\.')}[\\s\\S]*changed the user ${viewerEmail.replace(/[.]/g, '\\.')}: role to analyst`,
        ),
      );
      // Refusals read in words, their HTTP code only as a tooltip.
      const chips = await page.locator('[data-testid=audit-entry] .chip').allTextContents();
      assert.ok(chips.includes('invalid input') && chips.includes('conflict') && chips.includes('refused'), `${chips}`);
      assert.ok(!chips.some((c) => /\(\d{3}\)/.test(c)), `${chips}`);
      await page.screenshot({ path: join(SHOTS, 'users.png'), fullPage: true });
      // On a phone the audit log reads a block a row, its sentences a line wide (four columns
      // squeezed them to a letter a line).
      await page.setViewportSize({ width: 390, height: 844 });
      const widths = await page
        .locator('[data-testid=audit-what]')
        .evaluateAll((tds) => tds.map((td) => Math.round(td.getBoundingClientRect().width)));
      assert.ok(widths.length >= 4 && widths.every((w) => w >= 250), JSON.stringify(widths));
      await page.screenshot({ path: join(SHOTS, 'users-phone.png'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });
      assert.deepEqual(admin.errors, []);
      // Back to viewer for the rest.
      await env().api(
        'PATCH',
        `/api/v1/users/${users.find((u: { email: string }) => u.email === viewerEmail).id}`,
        key,
        {
          role: 'viewer',
        },
      );
    } finally {
      await admin.page.context().close();
    }

    const viewer = await signedIn(env(), viewerEmail);
    try {
      const { page } = viewer;
      await page.waitForSelector('text=Only owners and admins manage users');
      await page.goto(`${env().base}/feedback`);
      await page.waitForSelector('[data-testid=feedback-item]');
      const shown = await page.locator('[data-testid=feedback-list]').innerText();
      assert.match(shown, /Late again/);
      assert.doesNotMatch(shown, /7700 900123|pia@example\.net/);
      assert.match(shown, /\[phone\]|\[email\]/);
      await page.screenshot({ path: join(SHOTS, 'feedback-as-viewer.png') });
      // A viewer may download a customer's data (redacted for them) but not erase them.
      await page.goto(`${env().base}/customers/${sent.body.customer_id}`);
      await page.waitForSelector('[data-testid=customer-export]');
      assert.equal(await page.locator('[data-testid=customer-erase]').count(), 0);
      assert.deepEqual(viewer.errors, []);
    } finally {
      await viewer.page.context().close();
    }

    // An admin erases the customer from their page; the API no longer knows them.
    const again = await signedIn(env(), adminEmail);
    try {
      const { page } = again;
      await page.goto(`${env().base}/customers/${sent.body.customer_id}`);
      await page.click('[data-testid=customer-erase]');
      await page.waitForURL(/\/customers$/);
      assert.equal((await env().api('GET', `/api/v1/customers/${sent.body.customer_id}`, key)).status, 404);
      assert.deepEqual(again.errors, []);
    } finally {
      await again.page.context().close();
    }
  });
});
