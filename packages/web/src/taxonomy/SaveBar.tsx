// The editor's save bar (save, discard, what changed, the outcome) and, after a refusal, the list
// of what to fix before saving.
import { type Draft, FIELD_NAMES, type TopicErrors } from './taxonomy-edit';

export function SaveBar({
  busy,
  dirty,
  summary,
  note,
  saved,
  error,
  errors,
  other,
  problemTopics,
  onSave,
  onDiscard,
  onShow,
}: {
  busy: boolean;
  dirty: boolean;
  /** What the unsaved changes are, e.g. ["1 added", "2 changed"]. */
  summary: string[];
  note: string;
  /** The notice after the last save. */
  saved: string;
  /** Why the last save was refused. */
  error: string;
  errors: TopicErrors;
  /** The refusal's errors on no topic that was sent: [field, reason]. */
  other: [string, string][];
  /** The topics with errors, in list order. */
  problemTopics: Draft[];
  onSave: () => void;
  onDiscard: () => void;
  /** Scrolls to a topic and focuses it. */
  onShow: (uid: number) => void;
}) {
  return (
    <>
      <div className="save-bar" data-testid="taxonomy-save-bar">
        {/* Not disabled (a disabled button drops the keyboard focus): says so instead. */}
        <button
          type="button"
          id="taxonomy-save"
          className="primary"
          onClick={onSave}
          aria-disabled={busy || !dirty}
          data-testid="taxonomy-save"
        >
          {busy ? 'Saving…' : 'Save taxonomy'}
        </button>
        {dirty && (
          <button
            type="button"
            className="secondary"
            onClick={onDiscard}
            disabled={busy}
            data-testid="taxonomy-discard"
          >
            Discard changes
          </button>
        )}
        {dirty && !busy && <span className="muted">Unsaved changes: {summary.join(', ')}</span>}
        {note && (
          <span className="ok" role="status" data-testid="taxonomy-note">
            {note}
          </span>
        )}
        {saved && !dirty && !note && (
          <span className="ok" role="status" data-testid="taxonomy-saved">
            {saved}
          </span>
        )}
        {error && (
          <span className="error inline" role="alert" data-testid="taxonomy-error">
            Not saved: {error}
            {problemTopics.length > 0 && (
              <>
                {' '}
                ({problemTopics.length} topic{problemTopics.length === 1 ? '' : 's'}, listed below).{' '}
                <button type="button" className="link" onClick={() => onShow(problemTopics[0]!.uid)}>
                  Show the first
                </button>
              </>
            )}
          </span>
        )}
      </div>
      {error && (problemTopics.length > 0 || other.length > 0) && (
        <div className="error" data-testid="taxonomy-problems">
          <strong>What to fix before saving:</strong>
          {(problemTopics.length > 0 || other.length > 0) && (
            <ul className="tax-problems">
              {problemTopics.map((d) => (
                <li key={d.uid}>
                  <button type="button" className="link" onClick={() => onShow(d.uid)}>
                    {d.label || d.key} ({d.key})
                  </button>
                  :{' '}
                  {Object.entries(errors[d.uid]!)
                    .map(([f, r]) => `${FIELD_NAMES[f] ?? f} ${r}`)
                    .join('; ')}
                </li>
              ))}
              {other.map(([f, r]) => (
                <li key={f}>
                  {f}: {r}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}
