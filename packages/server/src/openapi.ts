import { z } from 'zod';
import type { RouteDoc } from './route.js';

const problem = {
  description: 'RFC 7807 problem details',
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              properties: { index: { type: 'integer' }, field: { type: 'string' }, reason: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};

function jsonSchema(s: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

/** OpenAPI 3.1 document generated from the registered routes' zod schemas. */
export function openApiDocument(routes: RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.url.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const qs = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(qs.properties ?? {})) {
        params.push({ name, in: 'query', required: (qs.required ?? []).includes(name), schema } as never);
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [code, description] of Object.entries(r.responses)) responses[code] = { description };
    responses['4XX'] = problem;
    paths[r.url] ??= {};
    paths[r.url][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: r.tags,
      ...(r.auth ? { security: [{ bearer: [] }, { apiKey: [] }], 'x-canopy-permission': r.permission } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Canopy API',
      version,
      description:
        'Customer experience management: ingest interactions, survey responses, events and customers; read timelines and lists. Errors are RFC 7807 problem+json naming the record index, field and reason.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Org API key' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
    },
    paths,
  };
}
