import pg from 'pg';
import { readFileSync } from 'node:fs';
const q = readFileSync('/tmp/q1.sql','utf8').replace('EXPLAIN (ANALYZE, BUFFERS) ','').replace(/;\s*$/,'');
const c = new pg.Client('postgres://postgres@127.0.0.1:5432/canopy_bench_10m'); await c.connect();
for (let i=0;i<8;i++){ const t=performance.now(); const r=await c.query(q); const t1=performance.now(); const s=JSON.stringify(r.rows[0].j).length; console.log((t1-t).toFixed(1),'ms', s,'chars'); }
const raw = q.replace(/^\s*SELECT json_build_object\([\s\S]*?AS j\s*FROM \(/, 'SELECT z.* FROM (');
for (let i=0;i<5;i++){ const t=performance.now(); const r=await c.query(raw); console.log('rows',(performance.now()-t).toFixed(1),'ms', r.rows.length); }
await c.end();
