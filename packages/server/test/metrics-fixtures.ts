import assert from 'node:assert/strict';

/** What the metrics-reading tests share: whole-day times, a checked POST, tickets with outcomes. */
export const DAY = 86_400_000;
export const iso = (t: number) => new Date(t).toISOString();
/** Midnight UTC today, so windows are whole days. */
export const TODAY = Math.floor(Date.now() / DAY) * DAY;

export type Api = (method: string, path: string, key: string, body?: unknown) => Promise<{ status: number; body: any }>;

export async function post(api: Api, key: string, path: string, body: unknown) {
  const r = await api('POST', path, key, body);
  assert.ok(r.status < 300, JSON.stringify(r.body).slice(0, 500));
}

/**
 * Customers c0…c59: a ticket at touchpoint `delivery` for each one `outcome` names, opened on day
 * i mod 20 after `t0`.
 */
export function postDeliveryTickets(api: Api, key: string, t0: number, outcome: (i: number) => string | null) {
  return post(
    api,
    key,
    '/api/v1/interactions',
    Array.from({ length: 60 }, (_, i) => i)
      .filter((i) => outcome(i))
      .map((i) => ({
        customer_email: `c${i}@example.com`,
        kind: 'ticket',
        touchpoint: 'delivery',
        outcome: outcome(i),
        opened_at: iso(t0 + (i % 20) * DAY),
      })),
  );
}
