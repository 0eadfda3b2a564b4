import { openStore, loyaltyCounts, topicDriverStats } from '@canopy/store';
import { sql } from 'kysely';
const t0 = performance.now();
const store = await openStore({ databaseUrl: 'postgres://root@127.0.0.1:5432/canopy_bench_10m' });
console.log('open+migrate s', ((performance.now() - t0) / 1000).toFixed(1));
const org = (await sql`SELECT org_id FROM bench_meta`.execute(store.db)).rows[0].org_id;
const DAY = 86400000, END = Date.parse('2026-11-01T00:00:00Z');
const to = new Date(END), from90 = new Date(END - 90 * DAY);
const which = process.argv[2] ?? 'all';
const time = async (name, f, n = 5) => {
  await f();
  const ts = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); await f(); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log(name, ts.map((x) => x.toFixed(0)).join(' '), 'median', ts[n >> 1].toFixed(0));
};
const loyalty = () => loyaltyCounts(store.db, org, { type: 'nps', from: new Date(END - 365 * DAY), to: new Date(END - 300 * DAY), filter: {}, horizonDays: 180, now: to });
const drivers = (useState) => () => topicDriverStats(store.db, org, { outcome: 'nps', from: from90, to, filter: {}, lookbackDays: 90, maxDrivers: 12, minCoverage: 0.005, source: 'outcomes', useState });
if (which === 'all' || which === 'loyalty') await time('loyalty', loyalty);
if (which === 'all' || which === 'drivers') await time('drivers state', drivers(true));
if (which === 'raw') await time('drivers raw', drivers(false), 3);
if (which === 'eq') { const a = await drivers(true)(); const b = await drivers(false)(); console.log(JSON.stringify([...a.drivers]) === JSON.stringify([...b.drivers]), a.n, b.n, a.pairs.size, b.pairs.size, JSON.stringify([...a.pairs]) === JSON.stringify([...b.pairs])); }
await store.close();
