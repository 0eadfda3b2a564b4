import { LIMITS, RECORD_KINDS, type RecordKind, recordSchemas } from '@canopy/core';
import type { Store } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiKeyAuth } from '../auth.js';
import type { RulesEngine } from '../loop/engine.js';
import type { TextAnalysisStep } from '../pipeline/analyse.js';
import { ingestBatch, type RecordOf } from '../pipeline/ingest.js';
import { validateBatch } from '../pipeline/validate.js';
import { invalidFields, Problem } from '../problem.js';
import { apiRoute } from '../route.js';

const IDEMPOTENCY_HEADER = /^[\x21-\x7e]{1,120}$/;

/** POST /api/v1/{customers,interactions,responses,events}: one record (object) or a batch (array). */
export function ingestRoutes(
  app: FastifyInstance,
  store: Store,
  auth: ApiKeyAuth,
  analysis?: TextAnalysisStep,
  rules?: RulesEngine,
): void {
  for (const kind of RECORD_KINDS) {
    const schema = recordSchemas[kind];
    apiRoute(app, auth, {
      method: 'POST',
      url: `/api/v1/${kind}`,
      permission: 'ingest',
      summary: `Ingest ${kind}: one record, or a batch of up to ${LIMITS.batchRecords.toLocaleString('en')} as an array`,
      tags: ['ingestion'],
      body: z.union([schema, z.array(schema).max(LIMITS.batchRecords)]),
      responses: {
        200: 'Batch written (or a retried batch answered from its first write)',
        201: 'Record created',
      },
      handler: async (req, reply, { org }) => {
        const body = req.body;
        const single = body !== null && typeof body === 'object' && !Array.isArray(body);
        if (body === undefined || body === null || (!single && !Array.isArray(body))) {
          throw new Problem(400, 'Invalid body', 'the body must be a JSON object (one record) or an array of records');
        }
        const raw = single ? [body] : (body as unknown[]);
        if (raw.length > LIMITS.batchRecords) {
          throw new Problem(
            413,
            'Batch too large',
            `the batch has ${raw.length} records; at most ${LIMITS.batchRecords} are accepted per request`,
          );
        }
        if (raw.length === 0) throw new Problem(422, 'Empty batch', 'the batch has no records');
        const header = req.headers['idempotency-key'];
        const batchKey = typeof header === 'string' ? header : undefined;
        if (batchKey !== undefined && !IDEMPOTENCY_HEADER.test(batchKey)) {
          throw new Problem(400, 'Invalid header', 'Idempotency-Key must be 1–120 visible ASCII characters', [
            { field: 'Idempotency-Key', reason: 'must be 1–120 visible ASCII characters' },
          ]);
        }
        const { records, errors } = validateBatch(kind, raw, batchKey);
        if (errors.length) {
          const bad = new Set(errors.map((e) => e.index)).size;
          throw single
            ? invalidFields(
                'Invalid records',
                errors.map(({ index: _i, ...e }) => e),
                'the record is invalid; nothing was written',
              )
            : invalidFields(
                'Invalid records',
                errors,
                `${bad} of ${raw.length} records are invalid; nothing was written`,
              );
        }
        const outcome = await ingestBatch(store, org.orgId, kind as RecordKind, records as RecordOf<RecordKind>[], {
          analysis,
          rules,
          sameRecordRetries: true,
        });
        const results = outcome.ids.map((id, i) => ({
          index: i,
          id,
          status: outcome.statuses[i],
          customer_id: outcome.customerIds[i],
        }));
        if (single) {
          const { index: _i, ...one } = results[0];
          return reply.code(one.status === 'created' ? 201 : 200).send(one);
        }
        const count = (s: string) => outcome.statuses.filter((x) => x === s).length;
        return reply.code(200).send({
          received: raw.length,
          created: count('created'),
          updated: count('updated'),
          duplicates: count('duplicate'),
          results,
        });
      },
    });
  }
}
