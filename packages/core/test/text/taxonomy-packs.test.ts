import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEPARTMENTS, SEVEN_PS } from '../../src/domain.js';
import { DEFAULT_TAXONOMY, detectTopics, TOPIC_KEY_RE } from '../../src/text/index.js';
import { packAdditions, TAXONOMY_PACKS, type TaxonomyPack } from '../../src/text/taxonomy-packs.js';
import { compileTaxonomy } from '../../src/text/topics.js';
import type { Taxonomy } from '../../src/text/types.js';

const withPack = (pack: TaxonomyPack): Taxonomy => ({
  version: `test+${pack.id}`,
  topics: [...DEFAULT_TAXONOMY.topics, ...pack.topics],
});
const found = (text: string, t: Taxonomy) => detectTopics(text, t).map((m) => m.topic);
const pack = (id: string) => TAXONOMY_PACKS.find((p) => p.id === id)!;

describe('industry taxonomy packs', () => {
  it('are subtrees under their own top-level key, mapped to 7Ps and departments', () => {
    const all = new Set(DEFAULT_TAXONOMY.topics.map((t) => t.key));
    assert.equal(new Set(TAXONOMY_PACKS.map((p) => p.id)).size, TAXONOMY_PACKS.length);
    for (const p of TAXONOMY_PACKS) {
      assert.equal(p.topics[0]!.key, p.id, `${p.id}: the root first`);
      assert.equal(p.topics[0]!.parent, null);
      const keys = new Set<string>();
      for (const t of p.topics) {
        assert.match(t.key, TOPIC_KEY_RE);
        assert.ok(t.key === p.id || t.key.startsWith(`${p.id}.`), t.key);
        assert.ok(!all.has(t.key), `${t.key} is new`);
        all.add(t.key);
        if (t.parent) assert.ok(keys.has(t.parent), `${t.key}: parent ${t.parent} comes before it`);
        keys.add(t.key);
        assert.ok((SEVEN_PS as readonly string[]).includes(t.sevenP), `${t.key} 7P ${t.sevenP}`);
        assert.ok((DEPARTMENTS as readonly string[]).includes(t.department), t.key);
        assert.ok(t.phrases.length >= 3, t.key);
        for (const ph of t.phrases) {
          assert.equal(ph, ph.toLowerCase().trim(), `${t.key}: '${ph}' lower-case, trimmed`);
          assert.ok(ph.length <= 200 && !/^~\s*$/.test(ph), `${t.key}: '${ph}'`);
        }
      }
    }
  });

  it('repeat no default phrase, so adding one changes nothing the default topics find', () => {
    for (const p of TAXONOMY_PACKS) {
      const c = compileTaxonomy(withPack(p));
      const fromPack = (ti: number) => ti >= DEFAULT_TAXONOMY.topics.length;
      const clashes: string[] = [];
      for (const list of c.index.values()) {
        const byPhrase = new Map<string, number[]>();
        for (const e of list) {
          const id = e.stems.join(' ');
          byPhrase.set(id, [...(byPhrase.get(id) ?? []), e.topic]);
        }
        for (const [id, topics] of byPhrase) {
          if (topics.some(fromPack) && topics.some((x) => !fromPack(x)))
            clashes.push(`'${id}': ${topics.map((x) => c.keys[x]).join(' & ')}`);
        }
      }
      assert.deepEqual(clashes, [], `${p.id} repeats default phrases`);
    }
  });

  it('find their topics in what customers of each industry write', () => {
    const cases: [string, string, string[]][] = [
      ['telecom', 'No signal at home and my calls keep dropping.', ['telecom.coverage']],
      ['telecom', 'The broadband speed is nowhere near the 500 mbps I pay for.', ['telecom.speed']],
      ['telecom', 'Internet was down for three days, a total outage.', ['telecom.outage']],
      ['telecom', 'The engineer did not turn up for the installation appointment.', ['telecom.installation']],
      ['telecom', 'Roaming charges in Spain were outrageous.', ['telecom.roaming']],
      ['telecom', 'I ran out of data and got hit with overage charges.', ['telecom.usage']],
      ['telecom', 'They lost my PAC code so I could not keep my number.', ['telecom.porting']],
      ['telecom', 'The new router keeps rebooting.', ['telecom.equipment']],
      ['insurance', 'My claim was rejected after six weeks with the claims handler.', ['insurance.claims']],
      ['insurance', 'The renewal quote went up 40% with no claims.', ['insurance.premium']],
      ['insurance', 'Water damage was not covered because of an exclusion in the small print.', ['insurance.cover']],
      ['insurance', 'No courtesy car while the approved repairer had my car for a month.', ['insurance.repairs']],
      ['travel', 'Our flight was cancelled and we were stranded at the airport overnight.', ['travel.disruption']],
      ['travel', 'They lost my suitcase and the baggage claim desk was useless.', ['travel.baggage']],
      ['travel', 'Changing my booking cost a €90 change fee.', ['travel.booking']],
      ['travel', 'The hotel room was filthy and housekeeping never came.', ['travel.stay']],
      ['travel', 'Still waiting for the EU261 compensation.', ['travel.compensation']],
      ['travel', 'The cabin crew were lovely and the legroom was generous.', ['travel.flights']],
      ['software', 'Another hour of downtime today, the status page said nothing.', ['software.reliability']],
      ['software', 'The dashboard is sluggish and takes forever to load.', ['software.performance']],
      ['software', 'The documentation is thin and the learning curve steep.', ['software.onboarding']],
      ['software', 'We need SSO and MFA before security signs off.', ['software.security']],
      ['software', 'Paying per seat for read-only users is absurd.', ['software.licensing']],
      ['software', 'The API rate limits break our webhooks.', ['software.api']],
      ['utilities', 'A power cut every week this winter.', ['utilities.supply']],
      ['utilities', 'My smart meter stopped sending readings so I got an estimated bill.', ['utilities.meters']],
      ['utilities', 'The standing charge doubled on the new tariff.', ['utilities.tariffs']],
      ['utilities', 'They put me in arrears after the final bill.', ['utilities.account']],
    ];
    const misses: string[] = [];
    for (const [id, text, want] of cases) {
      const got = found(text, withPack(pack(id)));
      for (const w of want) if (!got.includes(w)) misses.push(`${text} → ${got.join(', ') || 'nothing'} (want ${w})`);
    }
    assert.deepEqual(misses, []);
  });

  it('count ambiguous words only beside another of their topics', () => {
    const telecom = withPack(pack('telecom'));
    assert.ok(!found('The site is down again.', telecom).some((k) => k.startsWith('telecom')));
    assert.ok(found('The site is down again, no internet at all.', telecom).includes('telecom.outage'));
    const travel = withPack(pack('travel'));
    assert.ok(!found('The bed was comfy.', travel).includes('travel.stay'), 'a bed alone is not a hotel stay');
    assert.ok(found('The bed in our room at the resort was comfy.', travel).includes('travel.stay'));
    // A default topic's text is read the same with a pack added.
    for (const text of ['The delivery was late and the driver was rude.', 'I was charged twice on my invoice.'])
      for (const p of TAXONOMY_PACKS) assert.deepEqual(found(text, withPack(p)), found(text, DEFAULT_TAXONOMY), text);
  });

  it('add only what an org lacks, parents before children', () => {
    const tel = pack('telecom');
    assert.deepEqual(
      packAdditions(
        tel,
        DEFAULT_TAXONOMY.topics.map((t) => t.key),
      ).map((t) => t.key),
      tel.topics.map((t) => t.key),
    );
    const some = [...DEFAULT_TAXONOMY.topics.map((t) => t.key), 'telecom', 'telecom.speed'];
    assert.deepEqual(
      packAdditions(tel, some).map((t) => t.key),
      tel.topics.filter((t) => !some.includes(t.key)).map((t) => t.key),
    );
    assert.deepEqual(
      packAdditions(
        tel,
        tel.topics.map((t) => t.key),
      ),
      [],
      'all there: nothing to add',
    );
  });
});
