#!/usr/bin/env node
// `npm start`: Canopy on the embedded store (or DATABASE_URL), with a demo org on first start.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TAXONOMY } from '@canopy/core';
import { findApiKey, type Store } from '@canopy/store';
import { defaultAnalyser } from './analyser.js';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { DEMO_TEAM, loadDemo } from './demo.js';
import { RulesEngine } from './loop/engine.js';
import { queueSentimentJob, SentimentModel } from './onnx/sentiment-model.js';
import type { TextModel } from './onnx/text-model.js';
import { TopicModel } from './onnx/topic-model.js';
import { openConfiguredStore } from './open-store.js';
import { TextAnalysisStep } from './pipeline/analyse.js';
import { VERSION } from './version.js';

interface DemoCredentials {
  org: string;
  apiKey: string;
  email: string;
  password: string;
}

async function ensureDemo(
  store: Store,
  dir: string,
  customers: number,
  withModel: boolean,
): Promise<DemoCredentials | null> {
  const file = join(dir, 'demo-credentials.json');
  const orgs = await store.db.selectFrom('orgs').select('id').limit(1).execute();
  if (orgs.length > 0) {
    // Later starts print what the first start created, while that key still works.
    if (!existsSync(file)) return null;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
    return (await findApiKey(store.db, saved.apiKey)) ? saved : null;
  }
  console.log(`loading the demo organisation (${customers.toLocaleString('en')} customers) — first start only…`);
  let last = 0;
  const demo = await loadDemo(store, {
    customers,
    seed: 1,
    // With a sentiment model, the demo's texts are queued for it like any others.
    analysis: new TextAnalysisStep(defaultAnalyser(), {
      store,
      ...(withModel ? { afterWrite: queueSentimentJob } : {}),
    }),
    // The demo's history goes through its rules (cases opened when their records happened, then
    // handled by the team), so Cases, recovery and the digest have content from the start.
    rules: new RulesEngine(),
    onProgress: (n) => {
      if (process.stdout.isTTY && n - last >= 20_000) {
        last = n;
        process.stdout.write(`  ${n.toLocaleString('en')} records\r`);
      }
    },
  });
  const total = Object.values(demo.counts).reduce((a, b) => a + b, 0);
  console.log(`  ${total.toLocaleString('en')} records in ${demo.seconds.toFixed(1)} s`);
  const creds = { org: demo.name, apiKey: demo.apiKey, email: demo.login.email, password: demo.login.password };
  // The demo's own key, kept next to the demo data (mode 600) so later starts can print it.
  writeFileSync(file, JSON.stringify(creds, null, 2));
  chmodSync(file, 0o600);
  return creds;
}

async function main() {
  const config = loadConfig();
  // The model first: a folder that cannot be used stops the start with the reason.
  // In the order a job runs them: text sentiment, topics found, then those topics' sentiment.
  const textModels: TextModel[] = [];
  if (config.sentimentModel) textModels.push(await SentimentModel.load(config.sentimentModel));
  if (config.topicModel)
    textModels.push(await TopicModel.load(config.topicModel, { threshold: config.topicThreshold }));
  if (config.aspectModel) textModels.push(await SentimentModel.load(config.aspectModel, { target: 'topics' }));
  const store = await openConfiguredStore(config);
  const creds = config.demo
    ? await ensureDemo(store, config.dataDir, config.demoCustomers, textModels.length > 0)
    : null;
  const app = await buildApp({
    store,
    analyser: defaultAnalyser(),
    logger: config.logRequests,
    textModels,
    ...(config.inboundEmailPort !== undefined
      ? { inboundEmail: { port: config.inboundEmailPort, host: config.host } }
      : {}),
  });
  await app.listen({ port: config.port, host: config.host });
  const url = `http://localhost:${config.port}`;
  console.log(`\nCanopy ${VERSION} is running at ${url}`);
  console.log(`  store: ${store.location}`);
  for (const m of textModels) {
    const [what, env] =
      m.target === 'topics'
        ? ["topic mentions' sentiment: re-scored", 'CANOPY_ASPECT_MODEL']
        : m.target === 'detect'
          ? ['topics: more found', 'CANOPY_TOPIC_MODEL']
          : ['sentiment: re-scored', 'CANOPY_SENTIMENT_MODEL'];
    console.log(`  ${what} after ingestion by the ONNX model '${m.name}' (${env})`);
    if (m instanceof TopicModel) {
      const keys = new Set(DEFAULT_TAXONOMY.topics.map((t) => t.key));
      const known = m.labels.filter((l) => keys.has(l)).length;
      if (known < m.labels.length)
        console.log(
          `    ${m.labels.length - known} of its ${m.labels.length} labels are not in the default taxonomy: they count only for orgs whose taxonomy has them`,
        );
    }
  }
  if (config.inboundEmailPort !== undefined) {
    const port = (app as unknown as { inboundEmailPort: number }).inboundEmailPort;
    console.log(
      `  inbound email: SMTP on ${config.host}:${port} (mail to <org-slug>[+<touchpoint>]@… becomes an interaction)`,
    );
  }
  if (creds) {
    console.log(`  demo organisation: ${creds.org}`);
    console.log(`  sign in: ${creds.email} / ${creds.password}`);
    console.log(`  other roles, same password: ${DEMO_TEAM.map((u) => `${u.email} (${u.role})`).join(', ')}`);
    console.log(`  API key: ${creds.apiKey}`);
    console.log(`  try: curl -H "Authorization: Bearer ${creds.apiKey}" ${url}/api/v1/customers?limit=3`);
  }
  const anyOrg = await store.db.selectFrom('orgs').select('id').limit(1).executeTakeFirst();
  if (!anyOrg) {
    console.log('  no organisation yet: create yours (and its first owner) with');
    console.log('    npm run canopy -- orgs create --slug acme --name "Acme" --email you@acme.example');
  }
  console.log(`  API reference: ${url}/api/openapi.json\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping…`);
    await app.close();
    for (const m of textModels) await m.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(`canopy: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
