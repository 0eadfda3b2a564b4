#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
// The `canopy` command: import, export, demo, orgs, users, keys. Uses the same store settings as the
// server (DATABASE_URL, or PGlite in CANOPY_DATA_DIR / ./.canopy-data).
import { createWriteStream, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DEPARTMENTS,
  email as emailField,
  RECORD_KINDS,
  type RecordKind,
  timestamp,
  USER_ROLES,
  type UserRole,
} from '@canopy/core';
import {
  createApiKey,
  createOrg,
  createUser,
  currentTopicsConfig,
  departmentIdByKey,
  emailTaken,
  listUsers,
  type Store,
  setPassword,
  topicsConfigCounts,
  upsertDepartments,
} from '@canopy/store';
import { defaultAnalyser } from '../analyser.js';
import { loadConfig } from '../config.js';
import { loadDemo } from '../demo.js';
import { RulesEngine } from '../loop/engine.js';
import { queueSentimentJob, SentimentModel } from '../onnx/sentiment-model.js';
import { backfill, type TextModel } from '../onnx/text-model.js';
import { TopicModel } from '../onnx/topic-model.js';
import { openConfiguredStore } from '../open-store.js';
import { TextAnalysisStep } from '../pipeline/analyse.js';
import { RETOPIC_JOB, retopicJobHandler } from '../pipeline/retopic.js';
import { newPassword } from '../routes/users.js';
import { exportRecords } from '../transfer/export.js';
import { type ImportProgress, importFile } from '../transfer/import.js';

const USAGE = `usage: canopy <command> [options]

commands:
  import <file> --kind <kind> [--org <slug>] [--format csv|jsonl] [--rejects <file>]
      Stream a CSV or JSON Lines file of ${RECORD_KINDS.join('|')} into the store.
      Rows are validated like the API; bad rows go to a reject file with line numbers and reasons.
      Re-importing a file writes nothing twice.
  export --kind <kind> [--org <slug>] [--format jsonl|csv] [--from <date>] [--to <date>] [--out <file>]
      Stream records out in the importer's format (stdout by default).
  demo [--customers N] [--seed S] [--slug <slug>] [--now <date>]
      Write a demo organisation (deterministic for a seed) and print its API key.
  orgs
      List organisations.
  orgs create --slug <slug> --name <name> --email <owner email> [--owner-name <name>]
      Create an organisation (with the six standard departments), its first owner and an API key.
      The owner's password is CANOPY_PASSWORD if set, else a generated one, printed once.
  users list [--org <slug>]
  users add --email <email> --role <role> [--name <name>] [--department <key>] [--org <slug>]
      Add a user (roles: ${USER_ROLES.join(', ')}); password as for orgs create.
  users password --email <email>
      Set a new password (CANOPY_PASSWORD or generated) and end the user's sessions.
  keys create [--org <slug>] [--name <name>]
      Create an API key for an organisation.
  taxonomy apply [--org <slug>]
      Find the topics of stored texts again with the org's saved taxonomy and topic model (texts
      keep the topics they were given until then), as the dashboard's "Apply the saved taxonomy".
  sentiment rescore [--model <folder>] [--topic-model <folder> [--threshold <p>]] [--aspect-model <folder>]
                    [--org <slug>] [--from <date>] [--to <date>] [--all]
      Re-read stored texts with ONNX model folders, in this order: re-score their sentiment
      (CANOPY_SENTIMENT_MODEL's kind), add the taxonomy topics a topic classifier finds
      (CANOPY_TOPIC_MODEL's; --threshold as CANOPY_TOPIC_THRESHOLD, default 0.5), re-score their
      topic mentions' sentiment (CANOPY_ASPECT_MODEL's): what each model has not read yet, or
      everything with --all. Needs the optional packages onnxruntime-node and @huggingface/tokenizers.

environment: DATABASE_URL (PostgreSQL) or CANOPY_DATA_DIR (PGlite folder, default ./.canopy-data)`;

class UsageError extends Error {}

/** CANOPY_PASSWORD (for scripts) or a generated one; at least 10 characters, as the API asks. */
function chosenPassword(): { password: string; generated: boolean } {
  const given = process.env.CANOPY_PASSWORD;
  if (given) {
    // The same rule as the API's.
    const r = newPassword.safeParse(given);
    if (!r.success) throw new UsageError(`CANOPY_PASSWORD ${r.error.issues[0]?.message}`);
    return { password: given, generated: false };
  }
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

function emailOf(v: string | undefined): string {
  const r = emailField.safeParse(v ?? '');
  if (!r.success) throw new UsageError(`--email must be an email address${v ? `, got '${v}'` : ''}`);
  return r.data;
}

async function userCommand(
  store: Store,
  sub: string | undefined,
  values: Record<string, string | boolean | undefined>,
) {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if (sub === 'list') {
    const org = await orgOf(store, str('org'));
    for (const u of await listUsers(store.db, org.id)) {
      console.log(`${u.email}\t${u.role}\t${u.department ?? '-'}\t${u.name}`);
    }
    return 0;
  }
  if (sub === 'add') {
    const org = await orgOf(store, str('org'));
    const email = emailOf(str('email'));
    const role = str('role');
    if (!role || !(USER_ROLES as readonly string[]).includes(role)) {
      throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
    }
    const dep = str('department');
    let departmentId: string | undefined;
    if (dep) {
      departmentId = await departmentIdByKey(store.db, org.id, dep);
      if (!departmentId) throw new UsageError(`no department '${dep}' in ${org.slug}`);
    } else if (role === 'department_owner') throw new UsageError('a department owner needs --department');
    if (await emailTaken(store.db, email)) throw new UsageError(`a user with email ${email} already exists`);
    const pw = chosenPassword();
    await createUser(store.db, org.id, {
      email,
      name: str('name') ?? email.split('@')[0]!,
      role: role as UserRole,
      password: pw.password,
      ...(departmentId ? { departmentId } : {}),
    });
    console.log(`added ${email} (${role}) to ${org.slug}${pw.generated ? `; password: ${pw.password}` : ''}`);
    return 0;
  }
  if (sub === 'password') {
    const email = emailOf(str('email'));
    const u = await store.db.selectFrom('users').select(['org_id', 'id']).where('email', '=', email).executeTakeFirst();
    if (!u) throw new UsageError(`no user with email ${email}`);
    const pw = chosenPassword();
    await setPassword(store.db, u.org_id, u.id, pw.password);
    console.log(`new password set for ${email}${pw.generated ? `: ${pw.password}` : ''}; their sessions ended`);
    return 0;
  }
  throw new UsageError('usage: canopy users list|add|password …  (see canopy help)');
}

/** A new organisation ready to use: standard departments, an owner who can sign in, an API key. */
async function createOrgCommand(store: Store, values: Record<string, string | boolean | undefined>) {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const slug = { data: str('slug') ?? '' };
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(slug.data)) {
    throw new UsageError('--slug must be a short name of lower-case letters, digits, - or _ (e.g. acme)');
  }
  const name = str('name');
  if (!name?.trim()) throw new UsageError('--name is required (the organisation as people call it)');
  const email = emailOf(str('email'));
  const exists = await store.db.selectFrom('orgs').select('id').where('slug', '=', slug.data).executeTakeFirst();
  if (exists) throw new UsageError(`an organisation '${slug.data}' already exists`);
  if (await emailTaken(store.db, email)) throw new UsageError(`a user with email ${email} already exists`);
  const pw = chosenPassword();
  const created = await store.db.transaction().execute(async (trx) => {
    const org = await createOrg(trx, slug.data, name.trim());
    await upsertDepartments(
      trx,
      org.id,
      DEPARTMENTS.map((d) => ({ key: d, name: d[0]!.toUpperCase() + d.slice(1), function: d })),
    );
    await createUser(trx, org.id, {
      email,
      name: str('owner-name') ?? email.split('@')[0]!,
      role: 'owner',
      password: pw.password,
    });
    const k = await createApiKey(trx, org.id, 'cli');
    return { org, key: k.key };
  });
  console.log(`organisation '${created.org.slug}' (${created.org.name}) created`);
  console.log(`  owner: ${email}${pw.generated ? ` / ${pw.password}` : ''}`);
  console.log(`  API key: ${created.key}`);
  console.log('  next: add touchpoints (POST /api/v1/touchpoints), then send data or import a file');
  return 0;
}

async function orgOf(store: Store, slug: string | undefined): Promise<{ id: string; slug: string }> {
  const orgs = await store.db.selectFrom('orgs').select(['id', 'slug']).orderBy('created_at').execute();
  if (slug) {
    const o = orgs.find((x) => x.slug === slug);
    if (!o) throw new UsageError(`no organisation '${slug}' (have: ${orgs.map((x) => x.slug).join(', ') || 'none'})`);
    return o;
  }
  if (orgs.length === 1) return orgs[0];
  if (orgs.length === 0)
    throw new UsageError('there is no organisation yet: run `canopy demo` or start the server once');
  throw new UsageError(`several organisations exist; name one with --org (${orgs.map((x) => x.slug).join(', ')})`);
}

function kindOf(v: string | undefined): RecordKind {
  if (!v || !(RECORD_KINDS as readonly string[]).includes(v)) {
    throw new UsageError(`--kind must be one of ${RECORD_KINDS.join(', ')}`);
  }
  return v as RecordKind;
}

function dateOf(name: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const r = timestamp.safeParse(v);
  if (!r.success) throw new UsageError(`--${name} must be an ISO date or date-time with zone, got '${v}'`);
  return r.data;
}

/** The export's file, opened before anything is read: a bad path is a usage error, not a crash. */
function openOutput(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.once('open', () => resolve(out));
    out.once('error', (err) => reject(new UsageError(`cannot write --out ${path}: ${err.message}`)));
  });
}

function progressBar(p: ImportProgress, started: number): void {
  const frac = p.totalBytes ? p.bytes / p.totalBytes : 0;
  const width = 30;
  const done = Math.round(frac * width);
  const rate = p.rows / Math.max(0.001, (Date.now() - started) / 1000);
  process.stderr.write(
    `\r  [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${p.rows.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} rows/s `,
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      org: { type: 'string' },
      format: { type: 'string' },
      rejects: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      customers: { type: 'string' },
      seed: { type: 'string' },
      slug: { type: 'string' },
      now: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      department: { type: 'string' },
      'owner-name': { type: 'string' },
      'no-analysis': { type: 'boolean' },
      model: { type: 'string' },
      'aspect-model': { type: 'string' },
      'topic-model': { type: 'string' },
      threshold: { type: 'string' },
      all: { type: 'boolean' },
    },
  });
  const format = values.format;
  if (format !== undefined && format !== 'csv' && format !== 'jsonl')
    throw new UsageError('--format must be csv or jsonl');
  const config = loadConfig();
  const store = await openConfiguredStore(config);
  // The org's own taxonomy and trained models apply to imports as to the API; rules fire too
  // (their notifications wait in the durable queue for the server to deliver).
  // With CANOPY_SENTIMENT_MODEL set, imported texts are queued for the model like the API's
  // (a server with the model re-scores them).
  const analysis = values['no-analysis']
    ? undefined
    : new TextAnalysisStep(defaultAnalyser(), {
        store,
        ...(config.sentimentModel || config.aspectModel || config.topicModel ? { afterWrite: queueSentimentJob } : {}),
      });
  const rules = new RulesEngine();
  try {
    switch (command) {
      case 'import': {
        const file = positionals[0];
        if (!file) throw new UsageError('import needs a file: canopy import <file> --kind <kind>');
        const kind = kindOf(values.kind);
        const org = await orgOf(store, values.org);
        const started = Date.now();
        const tty = process.stderr.isTTY;
        const s = await importFile(store, {
          file,
          kind,
          orgId: org.id,
          format,
          rejectFile: values.rejects,
          analysis,
          rules,
          onProgress: tty ? (p) => progressBar(p, started) : undefined,
        });
        if (tty) process.stderr.write('\n');
        const rate = Math.round(s.rows / Math.max(s.seconds, 0.001));
        console.log(
          `${kind} from ${file} into ${org.slug}: ${s.rows.toLocaleString('en')} rows read, ${(s.created + s.updated).toLocaleString('en')} written (${s.created} created, ${s.updated} updated), ${s.duplicates} duplicates skipped, ${s.rejected} rejected — ${s.seconds.toFixed(1)} s, ${rate.toLocaleString('en')} rows/s`,
        );
        if (s.rejectFile) console.log(`rejected rows, with line numbers and reasons: ${s.rejectFile}`);
        if (s.fatal) console.error(`stopped: ${s.fatal}`);
        return s.fatal ? 2 : s.rejected ? 1 : 0;
      }
      case 'export': {
        const kind = kindOf(values.kind);
        const org = await orgOf(store, values.org);
        const from = dateOf('from', values.from);
        const to = dateOf('to', values.to);
        if (from && to && from.getTime() >= to.getTime()) throw new UsageError('--from must be before --to');
        const out = values.out ? await openOutput(values.out) : process.stdout;
        const n = await exportRecords(store, {
          kind,
          orgId: org.id,
          format: format ?? (values.out?.endsWith('.csv') ? 'csv' : 'jsonl'),
          from,
          to,
          out,
        });
        if (values.out) {
          await new Promise<void>((resolve) => out.end(() => resolve()));
          console.error(`${n.toLocaleString('en')} ${kind} written to ${values.out}`);
        }
        return 0;
      }
      case 'demo': {
        const customers = Number(values.customers ?? 1500);
        const seed = Number(values.seed ?? 1);
        if (!Number.isInteger(customers) || customers < 1 || customers > 1_000_000) {
          throw new UsageError('--customers must be a whole number from 1 to 1000000');
        }
        if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
        const now = values.now ? dateOf('now', values.now)!.toISOString() : undefined;
        const others = await store.db.selectFrom('orgs').select('id').limit(1).executeTakeFirst();
        if (others) {
          console.error(
            'other organisations share this store: the demo loads with the loyalty and driver triggers on, which takes longer',
          );
        }
        const d = await loadDemo(store, { customers, seed, now, slug: values.slug, analysis, rules });
        const total = Object.values(d.counts).reduce((a, b) => a + b, 0);
        console.log(
          `demo organisation '${d.slug}' (${d.name}): ${total.toLocaleString('en')} records in ${d.seconds.toFixed(1)} s`,
        );
        console.log(`  ${JSON.stringify(d.counts)}`);
        console.log(`  sign in: ${d.login.email} / ${d.login.password}`);
        console.log(`  API key: ${d.apiKey}`);
        return 0;
      }
      case 'users':
        return await userCommand(store, positionals[0], values);
      case 'orgs': {
        if (positionals[0] === 'create') return await createOrgCommand(store, values);
        if (positionals[0] !== undefined) throw new UsageError('usage: canopy orgs [create …]');
        const orgs = await store.db
          .selectFrom('orgs')
          .select(['slug', 'name', 'created_at'])
          .orderBy('created_at')
          .execute();
        for (const o of orgs) console.log(`${o.slug}\t${o.name}\t${o.created_at.toISOString()}`);
        return 0;
      }
      case 'keys': {
        if (positionals[0] !== 'create')
          throw new UsageError('usage: canopy keys create [--org <slug>] [--name <name>]');
        const org = await orgOf(store, values.org);
        const k = await createApiKey(store.db, org.id, values.name ?? 'cli');
        console.log(k.key);
        return 0;
      }
      case 'taxonomy': {
        if (positionals[0] !== 'apply') throw new UsageError('usage: canopy taxonomy apply [--org <slug>]');
        if (!analysis) throw new UsageError('--no-analysis: nothing would find the topics');
        const org = await orgOf(store, values.org);
        const mark = await currentTopicsConfig(store.db, org.id);
        const before = await topicsConfigCounts(store.db, org.id, mark);
        const started = performance.now();
        // The server's job, run here to the end in one go.
        await retopicJobHandler(analysis, {
          sliceMs: Number.POSITIVE_INFINITY,
          // Texts whose topics changed go to the installation's outside models, as at import.
          ...(config.sentimentModel || config.aspectModel || config.topicModel
            ? { afterWrite: queueSentimentJob }
            : {}),
        })({ id: 'cli', orgId: org.id, type: RETOPIC_JOB, payload: { mark }, attempt: 1, maxAttempts: 1 }, { store });
        const after = await topicsConfigCounts(store.db, org.id, mark);
        const seconds = (performance.now() - started) / 1000;
        console.log(
          `${(before.stale - after.stale).toLocaleString('en')} of ${before.analysable.toLocaleString('en')} stored texts of ${org.slug} had their topics found again with the saved taxonomy in ${seconds.toFixed(1)} s` +
            (after.stale
              ? `; ${after.stale.toLocaleString('en')} left (the taxonomy changed meanwhile: run it again)`
              : ''),
        );
        return 0;
      }
      case 'sentiment': {
        if (positionals[0] !== 'rescore' || (!values.model && !values['aspect-model'] && !values['topic-model']))
          throw new UsageError(
            'usage: canopy sentiment rescore [--model <folder>] [--topic-model <folder> [--threshold <p>]] [--aspect-model <folder>] [--org <slug>] [--from <date>] [--to <date>] [--all]',
          );
        const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
        if (threshold !== undefined && !(threshold > 0 && threshold < 1))
          throw new UsageError(`--threshold must be a number between 0 and 1, got '${values.threshold}'`);
        if (threshold !== undefined && !values['topic-model'])
          throw new UsageError('--threshold applies to --topic-model only');
        const org = await orgOf(store, values.org);
        // The window is checked before a model is loaded (which takes seconds for a real one).
        const from = dateOf('from', values.from);
        const to = dateOf('to', values.to);
        const models: TextModel[] = [];
        try {
          if (values.model) models.push(await SentimentModel.load(values.model));
          if (values['topic-model']) models.push(await TopicModel.load(values['topic-model'], { threshold }));
          if (values['aspect-model'])
            models.push(await SentimentModel.load(values['aspect-model'], { target: 'topics' }));
          for (const model of models) {
            const what = model.target === 'topics' ? 'topic mentions' : model.target === 'detect' ? 'topics' : 'texts';
            const done = model.target === 'detect' ? 'added' : 're-scored';
            const tty = process.stderr.isTTY;
            const r = await backfill(model, store.db, org.id, {
              all: values.all === true,
              from,
              to,
              onProgress: tty
                ? (n) => process.stderr.write(`\r  ${n.toLocaleString('en')} ${what} ${done} `)
                : undefined,
            });
            if (tty) process.stderr.write('\n');
            console.log(
              `${r.scored.toLocaleString('en')} ${what} of ${org.slug} ${done} by '${model.name}' in ${r.seconds.toFixed(1)} s (${Math.round(r.scored / Math.max(r.seconds, 0.001)).toLocaleString('en')}/s)`,
            );
          }
          return 0;
        } finally {
          for (const model of models) await model.close();
        }
      }
      default:
        throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
    }
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`canopy: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(
      err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1,
    );
  },
);
