// The taxonomy as a tree: each topic's row (label, key, unsaved state, 7P, owner, the server's
// errors on it) with its phrases or its edit form, and its sub-topics under it.
import { Chip, Empty } from '../components/ui';
import { sevenPName } from './common';
import { TopicForm } from './TopicForm';
import { type Draft, type DraftStatus, FIELD_NAMES, FORM_FIELDS, phrasesOf, type TopicErrors } from './taxonomy-edit';

interface TreeProps {
  kids: Map<string | null, Draft[]>;
  editable: boolean;
  /** The uids of topics whose edit form is open. */
  open: Set<number>;
  errors: TopicErrors;
  status: (d: Draft) => DraftStatus;
  deptName: (k: string) => string;
  onToggle: (uid: number) => void;
  onChange: (uid: number, patch: Partial<Draft>) => void;
  onRemove: (uid: number) => void;
}

export function TopicTree(p: TreeProps) {
  const roots = p.kids.get(null) ?? [];
  if (roots.length === 0) return <Empty title="No topics">Add one below; a taxonomy needs at least one topic.</Empty>;
  return (
    <ul className="tree tax-tree tax-root" data-testid="taxonomy-tree">
      {roots.map((d) => (
        <TopicNode key={d.uid} {...p} d={d} top />
      ))}
    </ul>
  );
}

function Phrases({ phrases }: { phrases: string[] }) {
  if (phrases.length === 0)
    return <p className="tax-phrases muted">No phrases: only a trained topics model finds it.</p>;
  const SHOWN = 8;
  if (phrases.length <= SHOWN)
    return (
      <p className="tax-phrases">
        <span className="muted">Phrases:</span> {phrases.join(', ')}
      </p>
    );
  return (
    <details className="tax-phrases">
      <summary>
        <span className="muted">{phrases.length} phrases:</span> {phrases.slice(0, SHOWN).join(', ')} … and{' '}
        {phrases.length - SHOWN} more
      </summary>
      <p>{phrases.join(', ')}</p>
    </details>
  );
}

interface NodeProps extends TreeProps {
  d: Draft;
  /** A top-level topic (a line above it). */
  top?: boolean;
}

function TopicNode(p: NodeProps) {
  const { d, kids, editable, errors } = p;
  const children = kids.get(d.key) ?? [];
  const isOpen = p.open.has(d.uid);
  const errs = errors[d.uid] ?? {};
  const hasErrors = Object.keys(errs).length > 0;
  const status = p.status(d);
  const formId = `tax-edit-${d.uid}`;
  // Errors on what the form does not edit (the key, the parent, the topic as a whole) show in the row.
  const rowErrors = Object.entries(errs).filter(([f]) => !FORM_FIELDS.includes(f));
  return (
    <li data-topic={d.key} className={p.top ? 'tax-top' : undefined}>
      <div className={`tax-topic${hasErrors ? ' has-error' : ''}`} id={`tax-topic-${d.uid}`} tabIndex={-1}>
        <div className="tax-head">
          <div className="tax-name">
            <strong data-testid="topic-label-shown">{d.label || <span className="muted">(no label)</span>}</strong>{' '}
            <code>{d.key}</code>{' '}
            {status && (
              <Chip tone="warn" title="Not saved yet">
                {status === 'new' ? 'new, unsaved' : 'changed, unsaved'}
              </Chip>
            )}
            <span className="tax-meta">
              <Chip title="7P experience dimension">7P: {sevenPName(d.sevenP)}</Chip>{' '}
              <Chip title="Department that owns it">Owner: {p.deptName(d.department)}</Chip>
            </span>
          </div>
          {editable && (
            <button
              type="button"
              id={`tax-edit-btn-${d.uid}`}
              className="secondary small"
              aria-expanded={isOpen}
              aria-controls={isOpen ? formId : undefined}
              onClick={() => p.onToggle(d.uid)}
              data-testid="topic-edit"
            >
              {isOpen ? 'Close' : 'Edit'}
              <span className="sr-only"> {d.label || d.key}</span>
            </button>
          )}
        </div>
        {rowErrors.map(([f, r]) => (
          <small key={f} className="field-error" role="alert" data-testid="topic-error">
            {FIELD_NAMES[f] ?? f}: {r}
          </small>
        ))}
        {isOpen && editable ? (
          <TopicForm
            d={d}
            id={formId}
            errs={errs}
            subTopics={children.length}
            deptName={p.deptName}
            onToggle={p.onToggle}
            onChange={p.onChange}
            onRemove={p.onRemove}
          />
        ) : (
          <Phrases phrases={phrasesOf(d.text)} />
        )}
      </div>
      {children.length > 0 && (
        <ul className="tree tax-tree">
          {children.map((c) => (
            <TopicNode key={c.uid} {...p} d={c} top={false} />
          ))}
        </ul>
      )}
    </li>
  );
}
