import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import Fastify from 'fastify';
import { staticRoutes } from '../src/static.js';

it('serves the dashboard page as built now: a rebuild while running is picked up, not a page naming gone assets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-static-'));
  const app = Fastify();
  try {
    const page = (asset: string) => `<!doctype html><html><head><script src="/assets/${asset}"></script></head></html>`;
    writeFileSync(join(dir, 'index.html'), page('index-old.js'));
    staticRoutes(app, dir);
    await app.ready();
    let res = await app.inject({ url: '/topics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /index-old\.js/);
    assert.match(res.body, /canopy-session/, 'signed out: marked so the app skips /api/v1/me');
    // The build writes a new page (and a later modification time).
    writeFileSync(join(dir, 'index.html'), page('index-new.js'));
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'index.html'), later, later);
    res = await app.inject({ url: '/topics' });
    assert.match(res.body, /index-new\.js/);
    assert.doesNotMatch(res.body, /index-old\.js/);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
