import { DEFAULT_TAXONOMY, type Taxonomy } from '@canopy/core';
import { type Db, getOrgTaxonomy } from '@canopy/store';

/** The org's taxonomy as the closed loop needs it: which topics exist and who owns each. */
export interface LoopTaxonomy {
  /** True when the org saved its own taxonomy (else the default one applies). */
  own: boolean;
  topics: Set<string>;
  /** Topic key → owning department. */
  department: Map<string, string>;
  /** Topic key → label. */
  label: Map<string, string>;
  /** A few keys to suggest in an error. */
  examples: string[];
}

function build(t: Taxonomy, own: boolean): LoopTaxonomy {
  return {
    own,
    topics: new Set(t.topics.map((x) => x.key)),
    department: new Map(t.topics.map((x) => [x.key, x.department as string])),
    label: new Map(t.topics.map((x) => [x.key, x.label])),
    examples: t.topics
      .filter((x) => x.parent)
      .slice(0, 2)
      .map((x) => x.key),
  };
}

const DEFAULT = build(DEFAULT_TAXONOMY, false);

/** The org's own taxonomy, or the default one. */
export async function loopTaxonomy(db: Db, orgId: string): Promise<LoopTaxonomy> {
  const own = await getOrgTaxonomy(db, orgId);
  return own ? build(own.taxonomy, true) : DEFAULT;
}

/** Why `topic` is not a key of the taxonomy, or null when it is. */
export function unknownTopic(t: LoopTaxonomy, topic: string): string | null {
  if (t.topics.has(topic)) return null;
  const eg = t.examples.length ? `, e.g. ${t.examples.join(' or ')}` : '';
  return `unknown topic '${topic}': use a key of the organisation's ${t.own ? '' : 'default '}taxonomy${eg}`;
}

/** The department owning a topic or its nearest ancestor in the taxonomy. */
export function topicDepartment(t: LoopTaxonomy, topic: string): string | null {
  for (let k: string | null = topic; k; k = k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : null) {
    const d = t.department.get(k);
    if (d) return d;
  }
  return null;
}
