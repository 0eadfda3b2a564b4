// The taxonomy's editor: the working copy of the topics (edit, add, remove, discard, start over
// from Canopy's default), what differs from the saved taxonomy, and the server's refusal shown at
// the topics and fields it names. The page does the request itself (`onSave`).
import { useEffect, useMemo, useState } from 'react';
// Canopy's default taxonomy, from core's build (plain data, no imports of their own).
import { DEFAULT_TAXONOMY } from '../../../core/dist/src/text/taxonomy.js';
import { ApiError, fieldErrors, type TaxonomyDoc, type TaxonomyEntry } from '../api';
import { Card } from '../components/ui';
import { count, dateTime } from '../format';
import { useDepartments } from '../loop/common';
import { useLeaveGuard } from '../router';
import { AddPack } from './AddPack';
import { AddTopic } from './AddTopic';
import { errorText, focusSoon } from './common';
import { SaveBar } from './SaveBar';
import { TopicTree } from './TopicTree';
import {
  changeSummary,
  changesOf,
  childrenOf,
  type Draft,
  draftOfNew,
  draftStatus,
  insertDraft,
  type NewTopic,
  newUid,
  rebaseDraft,
  splitErrors,
  type TopicErrors,
  toDraft,
  toEntry,
  withFormErrors,
} from './taxonomy-edit';

export function TaxonomyEditor({
  doc,
  editable,
  saved,
  onSave,
  onSaved,
  onLoadLatest,
  onDirty,
}: {
  doc: TaxonomyDoc;
  editable: boolean;
  /** The notice after the last save. */
  saved: string;
  /** Saves the topics: the taxonomy as the server kept it, or the server's refusal thrown. */
  onSave: (topics: TaxonomyEntry[]) => Promise<TaxonomyDoc>;
  onSaved: (d: TaxonomyDoc) => void;
  /** The taxonomy as saved now (after a save refused because someone else saved first). */
  onLoadLatest: () => Promise<TaxonomyDoc>;
  onDirty: (dirty: boolean) => void;
}) {
  const deps = useDepartments();
  const [draft, setDraft] = useState<Draft[]>(() => doc.topics.map(toDraft));
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [errors, setErrors] = useState<TopicErrors>({});
  const [other, setOther] = useState<[string, string][]>([]);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const kids = useMemo(() => childrenOf(draft), [draft]);

  const savedByKey = useMemo(() => new Map(doc.topics.map((t) => [t.key, t])), [doc]);
  const status = (d: Draft) => draftStatus(savedByKey, d);
  const changes = changesOf(doc.topics, draft);
  const dirty = changes.added + changes.changed + changes.removed > 0;
  useEffect(() => onDirty(dirty), [dirty, onDirty]);
  useLeaveGuard(dirty ? 'Your changes to the taxonomy are not saved. Leave this page and lose them?' : null);
  const summary = changeSummary(changes);

  const touch = () => {
    setNote('');
  };
  const change = (uid: number, patch: Partial<Draft>) => {
    touch();
    setDraft((ds) => ds.map((d) => (d.uid === uid ? { ...d, ...patch } : d)));
  };
  const toggle = (uid: number) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(uid)) n.delete(uid);
      else n.add(uid);
      return n;
    });
  const remove = (uid: number) => {
    touch();
    const gone = draft.find((d) => d.uid === uid);
    setDraft((ds) => ds.filter((d) => d.uid !== uid));
    if (!gone) return;
    setNote(`Removed “${gone.label || gone.key}” from the list; save to make it final.`);
    // Focus goes to the parent (or the tree), not to the page's top.
    const parent = draft.find((d) => d.key === gone.parent);
    focusSoon(parent ? `tax-topic-${parent.uid}` : 'taxonomy-save');
  };
  const add = (t: NewTopic) => {
    const d = draftOfNew(t);
    setDraft((ds) => insertDraft(ds, d));
    setNote(`Added “${d.label}” (${d.key})${d.parent ? ` under ${d.parent}` : ''}. Press Save taxonomy to keep it.`);
  };
  const addPack = (packLabel: string, topics: TaxonomyEntry[]) => {
    touch();
    setDraft((ds) => [...ds, ...topics.map(toDraft)]);
    setNote(`Added ${topics.length} topics of the ${packLabel} pack. Press Save taxonomy to keep them.`);
  };
  const discard = () => {
    setDraft(doc.topics.map(toDraft));
    focusSoon('taxonomy-save');
    setOpen(new Set());
    setErrors({});
    setOther([]);
    setError('');
    setNote('');
  };
  const startOver = () => {
    if (
      !confirm(
        `Replace every topic in the editor with Canopy's default taxonomy (${DEFAULT_TAXONOMY.topics.length} topics)? Your own topics and phrases go. Nothing is saved until you press Save taxonomy.`,
      )
    )
      return;
    setDraft(DEFAULT_TAXONOMY.topics.map((t) => toDraft(t as TaxonomyEntry)));
    setOpen(new Set());
    setErrors({});
    setOther([]);
    setError('');
    setNote("Canopy's default taxonomy is in the editor. Press Save taxonomy to use it.");
  };
  const save = async () => {
    if (busy) return;
    if (!dirty) {
      setNote('No changes to save.');
      return;
    }
    const sent = draft;
    setBusy(true);
    setErrors({});
    setOther([]);
    setError('');
    setNote('');
    try {
      const saved = await onSave(sent.map(toEntry));
      // The saved list (the server lower-cases phrases), keeping each topic's place and open form.
      const uidOf = new Map(sent.map((d) => [d.key, d.uid]));
      setDraft(saved.topics.map((t) => ({ ...toDraft(t), uid: uidOf.get(t.key) ?? newUid() })));
      onSaved(saved);
    } catch (x) {
      if (x instanceof ApiError && x.status === 412) {
        await rebase(sent);
        return;
      }
      const split = splitErrors(fieldErrors(x), sent);
      setErrors(split.byTopic);
      setOther(split.other);
      setError(errorText(x));
      // Open the topics with errors in fields their form edits, so each error shows at its field.
      const formErrors = withFormErrors(split.byTopic);
      if (formErrors.length) setOpen((o) => new Set([...o, ...formErrors]));
    } finally {
      setBusy(false);
    }
  };
  // Someone else saved since this copy was loaded: their taxonomy, with this editor's changes on
  // top, replaces the draft; nothing is saved until the user has looked and saves again.
  const rebase = async (sent: Draft[]) => {
    let latest: TaxonomyDoc;
    try {
      latest = await onLoadLatest();
    } catch (y) {
      setError(`someone else saved the taxonomy since you opened it, and loading theirs failed (${errorText(y)})`);
      return;
    }
    const r = rebaseDraft(doc.topics, sent, latest.topics);
    setDraft(r.draft);
    const who = latest.updated_at ? ` at ${dateTime(latest.updated_at)} (UTC)` : '';
    const clash = r.conflicts.map((c) => `${c.key} (${c.what}: ${c.kept} kept)`).join('; ');
    setError(
      `someone else saved the taxonomy${who} after you opened it. Their version is now in the editor with your changes on top${
        clash ? `; where you both changed a topic: ${clash}` : ''
      }. Check it and press Save taxonomy again.`,
    );
  };
  const show = (uid: number) => {
    const el = document.getElementById(`tax-topic-${uid}`);
    el?.scrollIntoView({ block: 'center' });
    el?.focus({ preventScroll: true });
  };
  const problemTopics = draft.filter((d) => errors[d.uid]);

  return (
    <>
      <Card
        title="Topics"
        testId="taxonomy"
        actions={
          editable && doc.source === 'org' ? (
            <button type="button" className="secondary" onClick={startOver} data-testid="taxonomy-reset">
              Start over from Canopy's default
            </button>
          ) : undefined
        }
      >
        <p data-testid="taxonomy-source" className="tax-source">
          {doc.source === 'default' ? (
            <>
              <strong>Canopy's default taxonomy.</strong> Your organisation has not saved its own yet
              {editable ? ': edit it here and save to make it yours.' : '.'}
            </>
          ) : (
            <>
              <strong>Your organisation's own taxonomy</strong>
              {doc.updated_at ? `, last saved ${dateTime(doc.updated_at)} (UTC)` : ''}.
            </>
          )}{' '}
          <span className="muted">
            {count(doc.topics.length)} topics, {count(doc.topics.filter((t) => !t.parent).length)} at the top level.
          </span>
        </p>
        <p className="note">
          Each topic has the phrases that signal it, a 7P experience dimension (product, price, place, promotion,
          process, people, physical evidence) and the department that owns it. Texts that arrive from now on are
          analysed with the saved taxonomy; texts already stored keep the topics they were given.
          {editable ? '' : ' You can read it here; changing it needs the owner, admin or analyst role.'}
        </p>
        <TopicTree
          kids={kids}
          editable={editable}
          open={open}
          errors={errors}
          status={status}
          deptName={deps.name}
          onToggle={toggle}
          onChange={change}
          onRemove={remove}
        />
      </Card>
      {editable && (
        <>
          <Card title="Add a topic" testId="add-topic-card">
            <AddTopic draft={draft} kids={kids} deptName={deps.name} onAdd={add} />
          </Card>
          <Card title="Add an industry pack" testId="add-pack-card">
            <AddPack draft={draft} onAdd={addPack} />
          </Card>
          <SaveBar
            busy={busy}
            dirty={dirty}
            summary={summary}
            note={note}
            saved={saved}
            error={error}
            errors={errors}
            other={other}
            problemTopics={problemTopics}
            onSave={save}
            onDiscard={discard}
            onShow={show}
          />
        </>
      )}
    </>
  );
}
