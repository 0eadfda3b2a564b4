import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readCookie, SESSION_COOKIE } from './auth.js';
import { Problem, sendProblem } from './problem.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/** packages/web/dist, found from this file (packages/server/dist/src/static.js). */
export function defaultWebDir(): string {
  return fileURLToPath(new URL('../../../web/dist', import.meta.url));
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Canopy</title>
<body style="font:16px system-ui;margin:3rem;max-width:40rem">
<h1>Canopy is running</h1><p>The dashboard has not been built: run <code>npm run build</code>
and restart. The API is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>`;

/**
 * Serves the dashboard (packages/web/dist) at `/`: hashed assets cached for a year, every other
 * non-API path answers with index.html so the browser app routes it (SPA fallback). API paths
 * that match no route still answer problem+json.
 */
export function staticRoutes(app: FastifyInstance, dir = defaultWebDir()): void {
  const root = normalize(dir + sep);
  const indexFile = join(root, 'index.html');
  let index: Buffer | null = null;
  let indexMtime = -1;
  // Read again when the build changes it (a rebuilt dashboard names new hashed assets; serving the
  // old page would load assets that are gone, and show a blank page).
  const loadIndex = () => {
    const mtime = existsSync(indexFile) ? statSync(indexFile).mtimeMs : -1;
    if (mtime !== indexMtime) {
      index = mtime < 0 ? null : readFileSync(indexFile);
      indexMtime = mtime;
      signedOut = null;
    }
    return index;
  };

  // Without a session cookie the app goes straight to sign-in: it need not ask /api/v1/me (and
  // log a 401 in the browser's console) to find that out.
  let signedOut: Buffer | null = null;
  const signedOutIndex = (html: Buffer) => {
    signedOut ??= Buffer.from(
      html.toString('utf8').replace('<head>', '<head><meta name="canopy-session" content="none">'),
      'utf8',
    );
    return signedOut;
  };

  const serveIndex = (req: FastifyRequest, reply: FastifyReply) => {
    const built = loadIndex();
    const html = built && !readCookie(req, SESSION_COOKIE) ? signedOutIndex(built) : built;
    reply.header('cache-control', 'no-cache');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    return reply.type('text/html; charset=utf-8').send(html ?? NOT_BUILT);
  };

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = decodeURIComponent(req.url.split('?')[0] ?? '/');
    if (path.startsWith('/api/') || path === '/api') {
      return sendProblem(reply, new Problem(404, 'Not found', `no route ${req.method} ${path}`), req.url);
    }
    if (path !== '/' && !path.endsWith('/')) {
      const file = normalize(join(root, path));
      if (file.startsWith(root) && existsSync(file) && statSync(file).isFile()) {
        const ext = extname(file);
        reply.header(
          'cache-control',
          path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
        );
        reply.header('x-content-type-options', 'nosniff');
        return reply.type(TYPES[ext] ?? 'application/octet-stream').send(await readFile(file));
      }
      // A missing asset is a 404, not the app: a stale page asking for an old bundle must fail loudly.
      if (path.startsWith('/assets/') || extname(path) !== '') {
        return reply.code(404).type('text/plain; charset=utf-8').send('not found');
      }
    }
    return serveIndex(req, reply);
  };
  app.get('/', handler);
  app.get('/*', handler);
}
