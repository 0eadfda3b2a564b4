// temp: run bench queries once (statement logging on the DB captures their SQL)
import { openStore, aggregate, topicDriverStats } from '@canopy/store';
const store = await openStore({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/canopy_bench_10m', poolSize: 2 });
const org = '01a208d0-a394-7000-97c3-6059e6a03806';
const DAY = 86400000, END = Date.parse('2026-11-01T00:00:00Z');
const to = new Date(END), from2y = new Date(END - 728 * DAY), from90 = new Date(END - 90 * DAY);
const which = process.argv[2];
const runs = Number(process.argv[3] ?? 3);
const qs = {
  q1: () => aggregate(store.db, org, { family: 'answers', type: 'nps', from: from2y, to, filter: {}, groupBy: 'touchpoint', granularity: 'week', useRollups: true }),
  drivers: () => topicDriverStats(store.db, org, { outcome: 'nps', from: from90, to, filter: {}, lookbackDays: 90, maxDrivers: 12, minCoverage: 0.005, source: 'outcomes' }),
  driversDept: () => topicDriverStats(store.db, org, { outcome: 'nps', from: from90, to, filter: { department: ['delivery'] }, lookbackDays: 90, maxDrivers: 12, minCoverage: 0.005, source: 'outcomes' }),
  driversTopics: () => topicDriverStats(store.db, org, { outcome: 'nps', from: from90, to, filter: {}, lookbackDays: 90, maxDrivers: 12, minCoverage: 0.005, source: 'topics' }),
};
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  const r = await qs[which]();
  console.log(which, (performance.now() - t).toFixed(1), 'ms');
  if (i === runs - 1 && process.argv[4]) console.log(JSON.stringify(r, (k, v) => (v instanceof Map ? Object.fromEntries(v) : v)).slice(0, 3000));
}
await store.close();
