import { LIMITS } from '@canopy/core';
import type { Db, Store } from '@canopy/store';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { ApiKeyAuth } from './auth.js';
import { InboundEmail, type InboundEmailOptions } from './channels/email-inbound.js';
import { closedLoop, type LoopOptions } from './loop/index.js';
import { queueSentimentJob, SENTIMENT_JOB, sentimentJobHandler, sentimentJobs } from './onnx/sentiment-model.js';
import type { TextModel } from './onnx/text-model.js';
import { openApiDocument } from './openapi.js';
import { type TextAnalyser, TextAnalysisStep } from './pipeline/analyse.js';
import { RETOPIC_JOB, retopicJobHandler } from './pipeline/retopic.js';
import { Problem, sendProblem } from './problem.js';
import { routeDocs } from './route.js';
import { configRoutes } from './routes/config.js';
import { ingestRoutes } from './routes/ingest.js';
import { metricsRoutes } from './routes/metrics.js';
import { readRoutes } from './routes/read.js';
import { sessionRoutes } from './routes/session.js';
import { surveyRoutes } from './routes/surveys.js';
import { textRoutes } from './routes/text.js';
import { userRoutes } from './routes/users.js';
import { staticRoutes } from './static.js';
import { VERSION } from './version.js';

export interface AppOptions {
  store: Store;
  /** Text analytics for every ingested text; absent = texts are stored unanalysed. */
  analyser?: TextAnalyser;
  logger?: boolean;
  bodyLimit?: number;
  /** Rules, cases, webhooks, digests and the job runner (SMTP, runner settings). */
  loop?: LoopOptions;
  /** API requests per minute per API key or signed-in user (default CANOPY_RATE_PER_MINUTE or 3000; 0 = no limit). */
  ratePerMinute?: number;
  /** Customers' emails as interactions over SMTP (off unless given). */
  inboundEmail?: InboundEmailOptions;
  /**
   * Outside models (CANOPY_SENTIMENT_MODEL, CANOPY_TOPIC_MODEL, CANOPY_ASPECT_MODEL: ONNX folders)
   * that re-score every ingested text's sentiment, add the topics they find, or re-score its topic
   * mentions' sentiment, shortly after it is stored, through the job queue; run in the order given.
   */
  textModels?: readonly TextModel[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? { level: 'info' } : false,
    bodyLimit: opts.bodyLimit ?? LIMITS.bodyBytes,
    // Batches are large; a slow client should not hold a socket forever.
    requestTimeout: 120_000,
    // What Node's HTTP parser refuses before a route is found (headers or a URL over 16 KB, a
    // malformed request line) is a problem too, not Fastify's own JSON.
    clientErrorHandler: (err, socket) => {
      const code = (err as { code?: string }).code;
      if (code === 'ECONNRESET' || socket.destroyed) return;
      const [status, title, detail] =
        code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Headers too large', 'the request line and headers are over 16 KB: send long values in the body']
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request timeout', 'the request took too long to arrive']
            : [400, 'Bad request', 'the request is not valid HTTP'];
      const body = JSON.stringify(new Problem(status, title, detail).body());
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(err);
    },
    // A path that does not decode (a stray %, a lone surrogate's bytes) answers in problem+json
    // like every other error, not in Fastify's own format.
    frameworkErrors: (err, req, reply) => {
      const bad = err.code === 'FST_ERR_BAD_URL';
      sendProblem(
        reply,
        new Problem(
          400,
          bad ? 'Invalid path' : 'Bad request',
          bad ? 'the path is not valid percent-encoded UTF-8' : err.message,
        ),
        req.url,
      );
    },
  });
  const auth = new ApiKeyAuth(opts.store, {
    ratePerMinute: opts.ratePerMinute ?? Number(process.env.CANOPY_RATE_PER_MINUTE ?? 3000),
  });

  // JSON bodies must be UTF-8: invalid bytes are an error, not silently replaced characters.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: 'buffer' }, (_req, body, done) => {
    const buf = body as Buffer;
    let text: string;
    try {
      text = utf8.decode(buf);
    } catch {
      done(new Problem(400, 'Malformed JSON', 'the body is not valid UTF-8'), undefined);
      return;
    }
    if (text.trim() === '') {
      done(new Problem(400, 'Malformed JSON', 'the body is empty'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new Problem(400, 'Malformed JSON', `the body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof Problem) return sendProblem(reply, err, req.url);
    const code = (err as { code?: string }).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendProblem(
        reply,
        new Problem(413, 'Body too large', `the body is over the limit of ${app.initialConfig.bodyLimit} bytes`),
        req.url,
      );
    }
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendProblem(
        reply,
        new Problem(415, 'Unsupported media type', 'send the body as application/json'),
        req.url,
      );
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return sendProblem(reply, new Problem(status, 'Bad request', (err as Error).message), req.url);
    }
    req.log.error(err);
    if (!opts.logger) console.error(err);
    return sendProblem(reply, new Problem(500, 'Internal error', 'the server failed; nothing was written'), req.url);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, new Problem(404, 'Not found', `no route ${req.method} ${req.url.split('?')[0]}`), req.url),
  );

  app.get('/health', async () => {
    await sql`SELECT 1`.execute(opts.store.db);
    return { status: 'ok', version: VERSION, store: opts.store.kind };
  });
  app.get('/api/openapi.json', async () => openApiDocument(routeDocs(app), VERSION));

  const models = opts.textModels ?? [];
  // The model's jobs go in the ingestion transaction; this node's runner (when it has one) runs
  // them right after the commit, any other runner otherwise.
  const afterWrite = models.length
    ? async (trx: Db, orgId: string, ids: string[]) => {
        if (ids.length === 0) return;
        if (!loop.runner) return queueSentimentJob(trx, orgId, ids);
        await loop.runner.enqueueNow(trx, sentimentJobs(orgId, ids));
      }
    : undefined;
  const analysis = opts.analyser
    ? new TextAnalysisStep(opts.analyser, { store: opts.store, ...(afterWrite ? { afterWrite } : {}) })
    : undefined;
  const loop = closedLoop(app, opts.store, auth, opts.loop);
  if (models.length) loop.runner?.register(SENTIMENT_JOB, sentimentJobHandler(models));
  if (analysis) loop.runner?.register(RETOPIC_JOB, retopicJobHandler(analysis, afterWrite ? { afterWrite } : {}));
  ingestRoutes(app, opts.store, auth, analysis, loop.rules);
  readRoutes(app, opts.store, auth);
  textRoutes(app, opts.store, auth, analysis);
  metricsRoutes(app, opts.store, auth);
  configRoutes(app, opts.store, auth, () => undefined);
  sessionRoutes(app, opts.store, auth);
  userRoutes(app, opts.store, auth);
  surveyRoutes(app, opts.store, auth, analysis, loop.rules);
  staticRoutes(app);
  if (opts.inboundEmail) {
    const inbound = new InboundEmail(opts.store, opts.inboundEmail, analysis, loop.rules);
    const port = await inbound.listen();
    app.decorate('inboundEmailPort', port);
    app.addHook('onClose', () => inbound.close());
  }
  return app;
}
