// One topic's edit form in the tree: label, 7P dimension, owner and phrases; done and remove.
import { Field } from '../loop/common';
import { focusSoon, OwnerFields, PHRASE_HELP } from './common';
import { type Draft, phrasesOf } from './taxonomy-edit';

export function TopicForm({
  d,
  id,
  errs,
  subTopics,
  deptName,
  onToggle,
  onChange,
  onRemove,
}: {
  d: Draft;
  /** The form's element id (the Edit button controls it). */
  id: string;
  /** The server's errors on this topic, by field. */
  errs: Record<string, string>;
  /** How many sub-topics it has (a topic with any cannot be removed). */
  subTopics: number;
  deptName: (k: string) => string;
  onToggle: (uid: number) => void;
  onChange: (uid: number, patch: Partial<Draft>) => void;
  onRemove: (uid: number) => void;
}) {
  return (
    <div className="form-grid tax-form" id={id}>
      <Field label="Label" error={errs.label}>
        <input
          value={d.label}
          onChange={(e) => onChange(d.uid, { label: e.target.value })}
          aria-invalid={errs.label ? true : undefined}
          data-testid="topic-label"
        />
      </Field>
      <OwnerFields
        sevenP={d.sevenP}
        department={d.department}
        errors={errs}
        deptName={deptName}
        testIdPrefix="topic"
        onChange={(patch) => onChange(d.uid, patch)}
      />
      <Field label="Phrases (one per line)" error={errs.phrases} hint={PHRASE_HELP} wide>
        <textarea
          rows={Math.min(10, Math.max(3, phrasesOf(d.text).length + 1))}
          value={d.text}
          onChange={(e) => onChange(d.uid, { text: e.target.value })}
          aria-invalid={errs.phrases ? true : undefined}
          data-testid="topic-phrases"
        />
      </Field>
      <div className="form-foot">
        <button
          type="button"
          className="secondary"
          onClick={() => {
            onToggle(d.uid);
            focusSoon(`tax-edit-btn-${d.uid}`);
          }}
          data-testid="topic-done"
        >
          Done
        </button>
        {subTopics === 0 ? (
          <button type="button" className="secondary danger" onClick={() => onRemove(d.uid)} data-testid="topic-remove">
            Remove topic
          </button>
        ) : (
          <span className="muted small">
            To remove this topic, remove its {subTopics} sub-topic{subTopics === 1 ? '' : 's'} first.
          </span>
        )}
      </div>
    </div>
  );
}
