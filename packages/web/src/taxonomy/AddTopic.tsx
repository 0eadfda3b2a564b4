// The "Add a topic" form: a new topic joins the editor's list (nothing is saved until Save taxonomy).
import { type FormEvent, useMemo, useState } from 'react';
// Canopy's topic key shape, from core's build (plain data, no imports of their own).
import { TOPIC_KEY_RE } from '../../../core/dist/src/text/taxonomy.js';
import { Field } from '../loop/common';
import { OwnerFields, PHRASE_HELP } from './common';
import {
  checkNewTopic,
  type Draft,
  NEW_TOPIC,
  type NewTopic,
  type NewTopicErrors,
  treeOrder,
  withParent,
} from './taxonomy-edit';

export function AddTopic({
  draft,
  kids,
  deptName,
  onAdd,
}: {
  draft: Draft[];
  kids: Map<string | null, Draft[]>;
  deptName: (k: string) => string;
  onAdd: (t: NewTopic) => void;
}) {
  const [t, setT] = useState<NewTopic>(NEW_TOPIC);
  const [errs, setErrs] = useState<NewTopicErrors>({});
  const set = (patch: Partial<NewTopic>) => setT((x) => ({ ...x, ...patch }));
  const order = useMemo(() => treeOrder(kids), [kids]);
  const pickParent = (key: string) => {
    const parent = draft.find((d) => d.key === key);
    setT((x) => withParent(x, key, parent));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = checkNewTopic(
      t,
      draft.map((d) => d.key),
      TOPIC_KEY_RE,
    );
    setErrs(found);
    if (Object.keys(found).length) return;
    onAdd({ ...t, key: t.key.trim(), label: t.label.trim() });
    setT(NEW_TOPIC);
  };
  return (
    <form onSubmit={submit} noValidate className="form-grid wide-form" data-testid="add-topic">
      <Field label="Parent topic" hint="None makes a new top-level topic">
        <select value={t.parent} onChange={(e) => pickParent(e.target.value)} data-testid="add-parent">
          <option value="">None (top level)</option>
          {order.map(({ d, depth }) => (
            <option key={d.uid} value={d.key}>
              {'\u00a0\u00a0'.repeat(depth)}
              {d.label} ({d.key})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Key" error={errs.key} hint="Never changes once saved, e.g. service.queue_jumping">
        <input
          value={t.key}
          onChange={(e) => set({ key: e.target.value })}
          aria-invalid={errs.key ? true : undefined}
          autoCapitalize="none"
          spellCheck={false}
          data-testid="add-key"
        />
      </Field>
      <Field label="Label" error={errs.label} hint="What dashboards show, e.g. Queue jumping">
        <input
          value={t.label}
          onChange={(e) => set({ label: e.target.value })}
          aria-invalid={errs.label ? true : undefined}
          data-testid="add-label"
        />
      </Field>
      <OwnerFields sevenP={t.sevenP} department={t.department} deptName={deptName} testIdPrefix="add" onChange={set} />
      <Field label="Phrases (one per line)" error={errs.text} hint={PHRASE_HELP} wide>
        <textarea
          rows={3}
          value={t.text}
          onChange={(e) => set({ text: e.target.value })}
          aria-invalid={errs.text ? true : undefined}
          placeholder={'e.g.\nqueue jump\npushed in front'}
          data-testid="add-phrases"
        />
      </Field>
      <div className="form-foot">
        <button type="submit" className="secondary" data-testid="add-submit">
          Add topic
        </button>
        <span className="muted small">Added to the list above; nothing is saved until you press Save taxonomy.</span>
      </div>
    </form>
  );
}
