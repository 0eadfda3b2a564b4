// "Add an industry pack": a ready-made subtree of topics (telecom, insurance, travel …) joins the
// editor's list in one step; nothing is saved until Save taxonomy.
import { type FormEvent, useState } from 'react';
// Canopy's industry packs, from core's build (plain data, no imports of their own).
import { packAdditions, TAXONOMY_PACKS } from '../../../core/dist/src/text/taxonomy-packs.js';
import type { TaxonomyEntry } from '../api';
import { Field } from '../loop/common';
import type { Draft } from './taxonomy-edit';

/**
 * What a pack adds, each name quoted (names hold commas: “Router, SIM and devices”), the count
 * matching the names: the pack's own top-level topic when the editor lacks it, and those under it.
 */
function packPreview(root: { key: string; label: string }, adds: TaxonomyEntry[]): string {
  const quote = (t: { label: string }) => `“${t.label}”`;
  const under = adds.filter((t) => t.parent);
  const n = `${adds.length} topic${adds.length === 1 ? '' : 's'}`;
  return adds.some((t) => !t.parent)
    ? `Adds ${n}: ${quote(root)} (${root.key}) and, under it, ${under.map(quote).join(', ')}.`
    : `Adds ${n} under ${quote(root)} (${root.key}): ${under.map(quote).join(', ')}.`;
}

export function AddPack({
  draft,
  onAdd,
}: {
  draft: Draft[];
  onAdd: (packLabel: string, topics: TaxonomyEntry[]) => void;
}) {
  const [id, setId] = useState(TAXONOMY_PACKS[0]!.id);
  const pack = TAXONOMY_PACKS.find((p) => p.id === id)!;
  const adds = packAdditions(
    pack,
    draft.map((d) => d.key),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (adds.length) onAdd(pack.label, adds);
  };
  return (
    <form onSubmit={submit} className="form-grid" data-testid="add-pack">
      <Field label="Industry" hint={pack.description} wide>
        <select value={id} onChange={(e) => setId(e.target.value)} data-testid="pack-select">
          {TAXONOMY_PACKS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label} ({p.topics.length} topics)
            </option>
          ))}
        </select>
      </Field>
      <p className="note wide" data-testid="pack-preview">
        {adds.length === 0
          ? `The taxonomy in the editor already has every topic of the ${pack.label} pack.`
          : `${packPreview(pack.topics[0]!, adds)} Each comes with its phrases, 7P dimension and owner, which you can change before saving.`}
      </p>
      <div className="form-foot">
        <button type="submit" className="secondary" aria-disabled={adds.length === 0} data-testid="pack-add">
          Add the {pack.label} topics
        </button>
        <span className="muted small">Added to the list above; nothing is saved until you press Save taxonomy.</span>
      </div>
    </form>
  );
}
