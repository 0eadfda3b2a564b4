import { type ChangeEvent, type FormEvent, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
// Canopy's own enums and default taxonomy, from core's build (plain data, no imports of their own).
import { DEPARTMENTS, SEVEN_PS } from '../../../core/dist/src/domain.js';
import { DEFAULT_TAXONOMY, TOPIC_KEY_RE } from '../../../core/dist/src/text/taxonomy.js';
import {
  ApiError,
  api,
  clearApiCache,
  fieldErrors,
  type Me,
  may,
  type TaxonomyDoc,
  type TaxonomyEntry,
  type TextAnalysisResult,
  type TextModel,
  type TopicSpan,
  useApi,
} from '../api';
import { Highlighted } from '../components/Text';
import { Card, Chip, Empty, ErrorBox, Loading, PageHead, SentimentChip } from '../components/ui';
import { count, dateTime, pct, titleCase } from '../format';
import { Field, useDepartments } from '../loop/common';

/** The server's limits (packages/server/src/routes/text.ts). */
const MAX_PHRASE = 200;
const MAX_KEY = 200;
const TRAIN_MIN = 20;
const TRAIN_MAX = 100_000;
const TRAIN_TEXT = 5_000;
const BODY_BYTES = 32 * 1024 * 1024;

const PHRASE_HELP = (
  <>
    One phrase per line. Phrases match whole words and simple inflections (“deliveries” matches “delivery”). A phrase
    starting with <code>~</code> counts only when the same sentence also mentions another topic under the same top-level
    topic: <code>~nice</code> under service.staff_attitude finds “the waiter was nice” but not “nice dress”.
  </>
);

function errorText(x: unknown): string {
  return x instanceof ApiError ? x.detail || x.title : (x as Error).message;
}

const sevenPName = (k: string) => titleCase(k);

// ---------------------------------------------------------------------------------------------
// The editor's working copy: one entry per topic, phrases as the textarea's text.

interface Draft {
  /** Stable while editing (keys of new topics may repeat an old one, labels change). */
  uid: number;
  key: string;
  label: string;
  parent: string | null;
  sevenP: string;
  department: string;
  /** The phrases, one per line, as typed. */
  text: string;
}

let nextUid = 1;
const toDraft = (t: TaxonomyEntry): Draft => ({
  uid: nextUid++,
  key: t.key,
  label: t.label,
  parent: t.parent ?? null,
  sevenP: t.sevenP,
  department: t.department,
  text: t.phrases.join('\n'),
});
const phrasesOf = (text: string) =>
  text
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
const toEntry = (d: Draft): TaxonomyEntry => ({
  key: d.key,
  label: d.label.trim(),
  parent: d.parent,
  sevenP: d.sevenP,
  department: d.department,
  phrases: phrasesOf(d.text),
});

/** Whether a topic is as saved (field by field: the server may give its fields in another order). */
function sameEntry(a: TaxonomyEntry, b: TaxonomyEntry): boolean {
  return (
    a.key === b.key &&
    a.label.trim() === b.label.trim() &&
    (a.parent ?? null) === (b.parent ?? null) &&
    a.sevenP === b.sevenP &&
    a.department === b.department &&
    a.phrases.length === b.phrases.length &&
    a.phrases.every((p, i) => p === b.phrases[i])
  );
}

/** Topics by parent, in list order; a topic whose parent is missing is shown at the top level. */
function childrenOf(draft: Draft[]): Map<string | null, Draft[]> {
  const keys = new Set(draft.map((d) => d.key));
  const out = new Map<string | null, Draft[]>();
  for (const d of draft) {
    const p = d.parent !== null && keys.has(d.parent) && d.parent !== d.key ? d.parent : null;
    out.set(p, [...(out.get(p) ?? []), d]);
  }
  return out;
}

/** Every topic in tree order with its depth (for the parent picker). */
function treeOrder(kids: Map<string | null, Draft[]>): { d: Draft; depth: number }[] {
  const out: { d: Draft; depth: number }[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const d of kids.get(parent) ?? []) {
      if (seen.has(d.key)) continue;
      seen.add(d.key);
      out.push({ d, depth });
      walk(d.key, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** Server field errors (`topics[3].parent`) mapped back to the topics that were sent. */
type TopicErrors = Record<number, Record<string, string>>;
function splitErrors(errs: Record<string, string>, sent: Draft[]): { byTopic: TopicErrors; other: [string, string][] } {
  const byTopic: TopicErrors = {};
  const other: [string, string][] = [];
  for (const [f, reason] of Object.entries(errs)) {
    const m = /^topics\[(\d+)\](?:\.([A-Za-z]+))?(?:\[(\d+)\])?/.exec(f);
    const d = m ? sent[Number(m[1])] : undefined;
    if (!m || !d) {
      other.push([f, reason]);
      continue;
    }
    const field = m[2] ?? 'topic';
    let r = reason;
    if (field === 'phrases' && m[3] !== undefined) {
      const p = phrasesOf(d.text)[Number(m[3])] ?? '';
      r = `line ${Number(m[3]) + 1} (“${p.length > 40 ? `${p.slice(0, 40)}…` : p}”): ${reason}`;
    }
    const mine = byTopic[d.uid] ?? {};
    byTopic[d.uid] = mine;
    mine[field] = mine[field] ? `${mine[field]}; ${r}` : r;
  }
  return { byTopic, other };
}

const FIELD_NAMES: Record<string, string> = {
  key: 'key',
  label: 'label',
  parent: 'parent',
  sevenP: '7P dimension',
  department: 'department',
  phrases: 'phrases',
  topic: 'topic',
};

/** Moves keyboard focus once React has drawn the change (the focused control may have gone). */
function focusSoon(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

// ---------------------------------------------------------------------------------------------

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

interface NodeProps {
  d: Draft;
  /** A top-level topic (a line above it). */
  top?: boolean;
  kids: Map<string | null, Draft[]>;
  editable: boolean;
  open: Set<number>;
  errors: TopicErrors;
  status: (d: Draft) => 'new' | 'changed' | null;
  deptName: (k: string) => string;
  onToggle: (uid: number) => void;
  onChange: (uid: number, patch: Partial<Draft>) => void;
  onRemove: (uid: number) => void;
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
  const rowErrors = Object.entries(errs).filter(([f]) => !['label', 'sevenP', 'department', 'phrases'].includes(f));
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
          <div className="form-grid tax-form" id={formId}>
            <Field label="Label" error={errs.label}>
              <input
                value={d.label}
                onChange={(e) => p.onChange(d.uid, { label: e.target.value })}
                aria-invalid={errs.label ? true : undefined}
                data-testid="topic-label"
              />
            </Field>
            <Field label="7P dimension" error={errs.sevenP}>
              <select
                value={d.sevenP}
                onChange={(e) => p.onChange(d.uid, { sevenP: e.target.value })}
                data-testid="topic-sevenp"
              >
                {SEVEN_PS.map((s) => (
                  <option key={s} value={s}>
                    {sevenPName(s)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Owning department" error={errs.department}>
              <select
                value={d.department}
                onChange={(e) => p.onChange(d.uid, { department: e.target.value })}
                data-testid="topic-department"
              >
                {DEPARTMENTS.map((k) => (
                  <option key={k} value={k}>
                    {p.deptName(k)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Phrases (one per line)" error={errs.phrases} hint={PHRASE_HELP} wide>
              <textarea
                rows={Math.min(10, Math.max(3, phrasesOf(d.text).length + 1))}
                value={d.text}
                onChange={(e) => p.onChange(d.uid, { text: e.target.value })}
                aria-invalid={errs.phrases ? true : undefined}
                data-testid="topic-phrases"
              />
            </Field>
            <div className="form-foot">
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  p.onToggle(d.uid);
                  focusSoon(`tax-edit-btn-${d.uid}`);
                }}
                data-testid="topic-done"
              >
                Done
              </button>
              {children.length === 0 ? (
                <button
                  type="button"
                  className="secondary danger"
                  onClick={() => p.onRemove(d.uid)}
                  data-testid="topic-remove"
                >
                  Remove topic
                </button>
              ) : (
                <span className="muted small">
                  To remove this topic, remove its {children.length} sub-topic{children.length === 1 ? '' : 's'} first.
                </span>
              )}
            </div>
          </div>
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

interface NewTopic {
  parent: string;
  key: string;
  label: string;
  sevenP: string;
  department: string;
  text: string;
}
const NEW_TOPIC: NewTopic = { parent: '', key: '', label: '', sevenP: 'process', department: 'service', text: '' };

function AddTopic({
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
  const [errs, setErrs] = useState<Partial<Record<keyof NewTopic, string>>>({});
  const set = (patch: Partial<NewTopic>) => setT((x) => ({ ...x, ...patch }));
  const order = useMemo(() => treeOrder(kids), [kids]);
  const pickParent = (key: string) => {
    const parent = draft.find((d) => d.key === key);
    setT((x) => ({
      ...x,
      parent: key,
      // A sub-topic's key starts with its parent's, and it usually shares its 7P and owner.
      key: x.key === '' || x.key === `${x.parent}.` ? (key ? `${key}.` : '') : x.key,
      ...(parent ? { sevenP: parent.sevenP, department: parent.department } : {}),
    }));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const key = t.key.trim();
    const found: Partial<Record<keyof NewTopic, string>> = {};
    if (!key) found.key = 'give the topic a key';
    else if (key.length > MAX_KEY) found.key = `at most ${MAX_KEY} characters`;
    else if (!TOPIC_KEY_RE.test(key))
      found.key = 'lower-case letters, digits, _ or -, in words separated by dots, e.g. service.queue_jumping';
    else if (draft.some((d) => d.key === key)) found.key = `there is already a topic with the key ${key}`;
    if (!t.label.trim()) found.label = 'give the topic a label';
    const long = phrasesOf(t.text).findIndex((p) => p.length > MAX_PHRASE);
    if (long >= 0) found.text = `line ${long + 1} is longer than ${MAX_PHRASE} characters`;
    setErrs(found);
    if (Object.keys(found).length) return;
    onAdd({ ...t, key, label: t.label.trim() });
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
      <Field label="7P dimension">
        <select value={t.sevenP} onChange={(e) => set({ sevenP: e.target.value })} data-testid="add-sevenp">
          {SEVEN_PS.map((s) => (
            <option key={s} value={s}>
              {sevenPName(s)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Owning department">
        <select value={t.department} onChange={(e) => set({ department: e.target.value })} data-testid="add-department">
          {DEPARTMENTS.map((k) => (
            <option key={k} value={k}>
              {deptName(k)}
            </option>
          ))}
        </select>
      </Field>
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

function TaxonomyEditor({
  doc,
  editable,
  saved,
  onSaved,
  onDirty,
}: {
  doc: TaxonomyDoc;
  editable: boolean;
  /** The notice after the last save. */
  saved: string;
  onSaved: (d: TaxonomyDoc) => void;
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
  const status = (d: Draft): 'new' | 'changed' | null => {
    const was = savedByKey.get(d.key);
    if (was === undefined) return 'new';
    return sameEntry(was, toEntry(d)) ? null : 'changed';
  };
  const keysNow = new Set(draft.map((d) => d.key));
  const added = draft.filter((d) => !savedByKey.has(d.key)).length;
  const changed = draft.filter((d) => status(d) === 'changed').length;
  const removed = doc.topics.filter((t) => !keysNow.has(t.key)).length;
  const dirty = added + changed + removed > 0;
  useEffect(() => onDirty(dirty), [dirty, onDirty]);
  const summary = [added && `${added} added`, changed && `${changed} changed`, removed && `${removed} removed`].filter(
    Boolean,
  );

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
    const d: Draft = {
      uid: nextUid++,
      key: t.key,
      label: t.label,
      parent: t.parent || null,
      sevenP: t.sevenP,
      department: t.department,
      text: t.text,
    };
    setDraft((ds) => {
      if (!d.parent) return [...ds, d];
      // After its parent's last descendant, so the saved list reads as a tree too.
      const under = new Set([d.parent]);
      let at = ds.findIndex((x) => x.key === d.parent);
      for (let i = at + 1; i < ds.length; i++) {
        const x = ds[i]!;
        if (x.parent !== null && under.has(x.parent)) {
          under.add(x.key);
          at = i;
        }
      }
      return [...ds.slice(0, at + 1), d, ...ds.slice(at + 1)];
    });
    setNote(`Added “${d.label}” (${d.key})${d.parent ? ` under ${d.parent}` : ''}. Press Save taxonomy to keep it.`);
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
      const saved = await api<TaxonomyDoc>('PUT', '/api/v1/taxonomy', { topics: sent.map(toEntry) });
      // Other pages (rules, topics) read the taxonomy from the cache: they get the new one.
      clearApiCache('/api/v1/taxonomy');
      // The saved list (the server lower-cases phrases), keeping each topic's place and open form.
      const uidOf = new Map(sent.map((d) => [d.key, d.uid]));
      setDraft(saved.topics.map((t) => ({ ...toDraft(t), uid: uidOf.get(t.key) ?? nextUid++ })));
      onSaved(saved);
    } catch (x) {
      const split = splitErrors(fieldErrors(x), sent);
      setErrors(split.byTopic);
      setOther(split.other);
      setError(errorText(x));
      // Open the topics with errors in fields their form edits, so each error shows at its field.
      const withFormErrors = Object.entries(split.byTopic)
        .filter(([, e]) => Object.keys(e).some((f) => ['label', 'sevenP', 'department', 'phrases'].includes(f)))
        .map(([uid]) => Number(uid));
      if (withFormErrors.length) setOpen((o) => new Set([...o, ...withFormErrors]));
    } finally {
      setBusy(false);
    }
  };
  const show = (uid: number) => {
    const el = document.getElementById(`tax-topic-${uid}`);
    el?.scrollIntoView({ block: 'center' });
    el?.focus({ preventScroll: true });
  };
  const problemTopics = draft.filter((d) => errors[d.uid]);
  const roots = kids.get(null) ?? [];

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
        {roots.length === 0 ? (
          <Empty title="No topics">Add one below; a taxonomy needs at least one topic.</Empty>
        ) : (
          <ul className="tree tax-tree tax-root" data-testid="taxonomy-tree">
            {roots.map((d) => (
              <TopicNode
                key={d.uid}
                d={d}
                top
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
            ))}
          </ul>
        )}
      </Card>
      {editable && (
        <>
          <Card title="Add a topic" testId="add-topic-card">
            <AddTopic draft={draft} kids={kids} deptName={deps.name} onAdd={add} />
          </Card>
          <div className="save-bar" data-testid="taxonomy-save-bar">
            {/* Not disabled (a disabled button drops the keyboard focus): says so instead. */}
            <button
              type="button"
              id="taxonomy-save"
              className="primary"
              onClick={save}
              aria-disabled={busy || !dirty}
              data-testid="taxonomy-save"
            >
              {busy ? 'Saving…' : 'Save taxonomy'}
            </button>
            {dirty && (
              <button
                type="button"
                className="secondary"
                onClick={discard}
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
                    <button type="button" className="link" onClick={() => show(problemTopics[0]!.uid)}>
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
                      <button type="button" className="link" onClick={() => show(d.uid)}>
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
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Try a text against the saved taxonomy.

function TryIt({ topics, dirty }: { topics: TaxonomyEntry[]; dirty: boolean }) {
  const [text, setText] = useState('');
  const [sent, setSent] = useState('');
  const [result, setResult] = useState<TextAnalysisResult | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const label = (k: string) => topics.find((t) => t.key === k)?.label ?? k;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setError('Type or paste a text first.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const r = await api<{ items: TextAnalysisResult[] }>('POST', '/api/v1/analyse', { text });
      setSent(text);
      setResult(r.items[0] ?? null);
    } catch (x) {
      setError(errorText(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Try a text" testId="try-it">
      <p className="note">
        Paste what a customer might write and see the topics it gets. This uses the saved taxonomy
        {dirty ? ' (not your unsaved changes: save them first to try them)' : ''} and your active trained models;
        nothing is stored.
      </p>
      <form onSubmit={submit} noValidate className="form-grid wide-form">
        <Field label="Text to analyse" wide>
          <textarea
            rows={3}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="The parcel came two days late and I was charged twice."
            data-testid="try-text"
          />
        </Field>
        <div className="form-foot">
          <button type="submit" className="primary" disabled={busy} data-testid="try-submit">
            {busy ? 'Analysing…' : 'Analyse'}
          </button>
          {error && (
            <span className="error inline" role="alert" data-testid="try-error">
              {error}
            </span>
          )}
        </div>
      </form>
      {result && <Analysed text={sent} a={result} label={label} />}
    </Card>
  );
}

function Analysed({ text, a, label }: { text: string; a: TextAnalysisResult; label: (k: string) => string }) {
  // A topics model's mention covers the whole text (it has no words of its own): its row says so.
  const byModel = (t: TopicSpan) =>
    t.start === 0 && t.end === text.length && (a.labels ?? []).some((l) => l.label === t.topic);
  const spans = a.topics.map((t) => (byModel(t) ? { ...t, detected_by: 'topics model' } : t));
  const churn = a.churnThreat ?? a.churn_threat ?? false;
  const pii = [...new Set((a.pii ?? []).map((p) => p.kind))];
  const intent = a.intents?.[0];
  return (
    <div className="tax-result" data-testid="try-result" aria-live="polite">
      <blockquote className="quote">
        <Highlighted text={text} spans={spans} />
      </blockquote>
      <p className="tax-flags">
        <span className="muted">Overall:</span> <SentimentChip s={a.sentiment} />
        {a.sentimentSource === 'model' && <span className="muted small">(your sentiment model) </span>}
        {churn && <Chip tone="warn">churn threat</Chip>}
        {a.urgent && <Chip tone="warn">urgent</Chip>}
        {a.effort > 0 && (
          <Chip title="How hard the customer had to try, 0–100%">effort {Math.round(a.effort * 100)}%</Chip>
        )}
        {a.emotions.map((e) => (
          <Chip key={e}>{titleCase(e)}</Chip>
        ))}
        {pii.length > 0 && <Chip tone="warn">contains {pii.join(', ')}</Chip>}
        {intent && (
          <Chip title="From your trained intents model">
            intent: {intent.label.replace(/_/g, ' ')} ({pct(intent.score)})
          </Chip>
        )}
      </p>
      {a.analysable === false && (
        <p className="note">This text does not look like English: its sentiment and topics are left empty.</p>
      )}
      {spans.length === 0 ? (
        <p className="muted" data-testid="try-no-topics">
          No topic found. Add a phrase from this text to a topic, save, and try again.
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="try-topics">
            <thead>
              <tr>
                <th>Topic</th>
                <th>Found by</th>
                <th>Sentiment</th>
              </tr>
            </thead>
            <tbody>
              {spans.map((t) => (
                <tr key={`${t.topic}-${t.start}`} data-topic={t.topic}>
                  <td>
                    {label(t.topic)} <code className="tax-key">{t.topic}</code>
                  </td>
                  <td className="break">
                    {t.detected_by ? (
                      <span className="muted">your topics model</span>
                    ) : (
                      `“${text.slice(t.start, t.end)}”`
                    )}
                  </td>
                  <td>
                    <SentimentChip s={t.sentiment} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {a.labels && a.labels.length > 0 && (
        <p className="note">
          Your topics model's labels: {a.labels.map((l) => `${l.label} (${pct(l.score)})`).join(', ')}
        </p>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Trained models: the list, and training from a file.

const KINDS: [TextModel['kind'], string, string][] = [
  ['intents', 'Intents', 'One label per text: what the customer wants, e.g. refund, track_order.'],
  ['topics', 'Topics', 'One or more labels per text; labels that are topic keys in the taxonomy are added as topics.'],
  ['sentiment', 'Sentiment', 'One label per text: negative, neutral or positive. Replaces the built-in sentiment.'],
];

function quality(m: TextModel): string {
  const x = m.metrics ?? {};
  const n = x.holdout_examples;
  const on = n ? ` on ${count(n)} held-out examples` : '';
  if (x.holdout_accuracy !== undefined) return `${pct(x.holdout_accuracy)} correct${on}`;
  if (x.holdout_micro_f1 !== undefined) return `F1 ${x.holdout_micro_f1.toFixed(2)}${on}`;
  const rest = Object.entries(x);
  if (rest.length) return rest.map(([k, v]) => `${titleCase(k)} ${v}`).join(', ');
  return m.examples < 50 ? 'Not measured: 50 examples or more are needed' : 'Not measured';
}

interface Parsed {
  name: string;
  examples: { text: string; labels: string[] }[];
  /** The file line each example came from. */
  lines: number[];
}

/** CSV records with the line each starts on (RFC 4180: quotes, doubled quotes, line breaks inside quotes). */
function csvRecords(s: string): { records: { fields: string[]; line: number }[]; error?: string } {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 1;
  let after = false; // just closed a quoted field
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          after = true;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      after = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ fields, line: start });
      fields = [];
      field = '';
      after = false;
      line++;
      start = line;
    } else if (after) {
      return {
        records,
        error: `Line ${line}: unexpected text after a closing quote (a " inside a quoted text is written "")`,
      };
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      quoteLine = line;
      field = '';
    } else {
      field += c;
    }
  }
  if (quoted) return { records, error: `Line ${quoteLine}: a quoted text is not closed (a " is missing)` };
  if (field !== '' || fields.length) records.push({ fields: [...fields, field], line: start });
  return { records };
}

function labelsOf(v: string): string[] {
  return v
    .split('|')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Reads a training file: CSV with a text,label header, or JSON Lines. Errors name the line. */
function parseTrainingFile(name: string, content: string): { parsed?: Parsed; errors: string[] } {
  const s = content.replace(/^\uFEFF/, '');
  const examples: Parsed['examples'] = [];
  const lines: number[] = [];
  const errors: string[] = [];
  const check = (line: number, text: string, labels: string[]) => {
    if (!text.trim()) errors.push(`Line ${line}: the text is empty`);
    else if (text.length > TRAIN_TEXT)
      errors.push(`Line ${line}: the text is longer than ${count(TRAIN_TEXT)} characters`);
    else if (labels.length === 0) errors.push(`Line ${line}: no label`);
    else if (labels.some((l) => l.length > MAX_KEY))
      errors.push(`Line ${line}: a label is longer than ${MAX_KEY} characters`);
    else {
      examples.push({ text: text.trim(), labels });
      lines.push(line);
    }
  };
  const first = s.trimStart()[0];
  if (first === undefined) return { errors: ['The file is empty'] };
  if (first === '[')
    return { errors: ['Line 1: this is a JSON array; write one object per line instead (JSON Lines)'] };
  if (first === '{') {
    s.split(/\r?\n/).forEach((raw, i) => {
      const line = i + 1;
      if (!raw.trim()) return;
      let o: unknown;
      try {
        o = JSON.parse(raw);
      } catch (e) {
        errors.push(`Line ${line}: not valid JSON (${(e as Error).message})`);
        return;
      }
      if (!o || typeof o !== 'object' || Array.isArray(o)) {
        errors.push(`Line ${line}: expected an object like {"text": "…", "labels": ["…"]}`);
        return;
      }
      const r = o as { text?: unknown; labels?: unknown; label?: unknown };
      if (typeof r.text !== 'string') {
        errors.push(`Line ${line}: "text" is missing or not a string`);
        return;
      }
      let labels: string[];
      if (Array.isArray(r.labels) && r.labels.every((l) => typeof l === 'string'))
        labels = r.labels.map((l) => l.trim());
      else if (typeof r.label === 'string') labels = [r.label.trim()];
      else {
        errors.push(`Line ${line}: needs "labels" (a list of strings) or "label" (a string)`);
        return;
      }
      check(line, r.text, labels.filter(Boolean));
    });
  } else {
    const { records, error } = csvRecords(s);
    if (error) return { errors: [error] };
    const rows = records.filter((r) => r.fields.some((f) => f.trim() !== ''));
    const head = rows[0];
    const cols = head?.fields.map((f) => f.trim().toLowerCase()) ?? [];
    const ti = cols.indexOf('text');
    const li = cols.indexOf('label') >= 0 ? cols.indexOf('label') : cols.indexOf('labels');
    if (!head || ti < 0 || li < 0)
      return {
        errors: [
          `Line ${head?.line ?? 1}: the first line must name the columns text and label (found: ${cols.join(', ') || 'nothing'})`,
        ],
      };
    for (const r of rows.slice(1)) {
      if (r.fields.length !== cols.length) {
        errors.push(
          `Line ${r.line}: ${r.fields.length} fields where the header has ${cols.length} (put "quotes" around a text with commas)`,
        );
        continue;
      }
      check(r.line, r.fields[ti]!, labelsOf(r.fields[li]!));
    }
  }
  if (errors.length) return { errors };
  if (examples.length < TRAIN_MIN) return { errors: [`${examples.length} examples: at least ${TRAIN_MIN} are needed`] };
  if (examples.length > TRAIN_MAX)
    return { errors: [`${count(examples.length)} examples: at most ${count(TRAIN_MAX)}`] };
  return { parsed: { name, examples, lines }, errors: [] };
}

function TrainForm({ onTrained }: { onTrained: () => void }) {
  const [kind, setKind] = useState<TextModel['kind']>('intents');
  const [parsed, setParsed] = useState<Parsed | null>(null);
  const [fileErrors, setFileErrors] = useState<string[]>([]);
  const [serverErrors, setServerErrors] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    setParsed(null);
    setFileErrors([]);
    setServerErrors([]);
    setError('');
    setDone('');
    if (!f) return;
    if (f.size > BODY_BYTES) {
      setFileErrors([`${f.name} is over 32 MB: split it or keep fewer examples`]);
      return;
    }
    const r = parseTrainingFile(f.name, await f.text());
    if (r.parsed) setParsed(r.parsed);
    else setFileErrors(r.errors);
  };
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const ex of parsed?.examples ?? []) for (const l of new Set(ex.labels)) m.set(l, (m.get(l) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]);
  }, [parsed]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!parsed) {
      setError('Choose a file of labelled examples first.');
      return;
    }
    setBusy(true);
    setError('');
    setServerErrors([]);
    setDone('');
    try {
      const m = await api<TextModel>('POST', '/api/v1/text-models', { kind, examples: parsed.examples });
      setDone(
        `Trained a ${m.kind} model on ${count(m.examples)} examples (${m.labels.length} labels): ${quality(m)}. It is now the active ${m.kind} model.`,
      );
      setParsed(null);
      if (fileRef.current) fileRef.current.value = '';
      onTrained();
    } catch (x) {
      setError(errorText(x));
      const lines = Object.entries(fieldErrors(x)).map(([f, r]) => {
        const m = /^examples\[(\d+)\]/.exec(f);
        const line = m ? parsed.lines[Number(m[1])] : undefined;
        return line !== undefined ? `Line ${line}: ${r}` : `${f === 'examples' ? 'The examples' : f}: ${r}`;
      });
      setServerErrors(lines);
    } finally {
      setBusy(false);
    }
  };
  const hint = KINDS.find(([k]) => k === kind)?.[2];
  const MAX_SHOWN = 8;
  return (
    <form onSubmit={submit} noValidate className="form-grid wide-form" data-testid="train-form">
      <Field label="Kind of model" hint={hint}>
        <select value={kind} onChange={(e) => setKind(e.target.value as TextModel['kind'])} data-testid="train-kind">
          {KINDS.map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="Labelled examples (CSV or JSON Lines file)"
        hint={
          <>
            CSV with a header <code>text,label</code> (several labels: <code>refund|late</code>), or one JSON object a
            line: <code>{'{"text": "…", "labels": ["…"]}'}</code> or <code>{'{"text": "…", "label": "…"}'}</code>.{' '}
            {count(TRAIN_MIN)} to {count(TRAIN_MAX)} examples, each label on at least 2. Read here first; nothing is
            sent until you press Train.
          </>
        }
        wide
      >
        <input
          ref={fileRef}
          type="file"
          accept=".csv,.jsonl,.ndjson,.txt,text/csv,application/x-ndjson,application/jsonl"
          onChange={onFile}
          aria-invalid={fileErrors.length ? true : undefined}
          data-testid="train-file"
        />
      </Field>
      {fileErrors.length > 0 && (
        <div className="error wide" role="alert" data-testid="train-file-error">
          <strong>
            This file can't be used{fileErrors.length > 1 ? ` (${fileErrors.length} problems)` : ''}; nothing was sent:
          </strong>
          <ul className="tax-problems">
            {fileErrors.slice(0, MAX_SHOWN).map((x) => (
              <li key={x}>{x}</li>
            ))}
            {fileErrors.length > MAX_SHOWN && <li>… and {fileErrors.length - MAX_SHOWN} more</li>}
          </ul>
        </div>
      )}
      {parsed && (
        <p className="wide tax-summary" role="status" data-testid="train-summary">
          <strong>{parsed.name}</strong>: {count(parsed.examples.length)} examples, {counts.length} label
          {counts.length === 1 ? '' : 's'} —{' '}
          {counts
            .slice(0, MAX_SHOWN)
            .map(([l, n]) => `${l} (${count(n)})`)
            .join(', ')}
          {counts.length > MAX_SHOWN ? ` and ${counts.length - MAX_SHOWN} more` : ''}
        </p>
      )}
      <div className="form-foot">
        <button type="submit" className="primary" disabled={busy || !parsed} data-testid="train-submit">
          {busy ? 'Training…' : 'Train model'}
        </button>
        {done && (
          <span className="ok" role="status" data-testid="train-result">
            {done}
          </span>
        )}
        {error && (
          <span className="error inline" role="alert" data-testid="train-error">
            {error}
            {serverErrors.length > 0 && (
              <>
                : {serverErrors.slice(0, MAX_SHOWN).join('; ')}
                {serverErrors.length > MAX_SHOWN ? ` … and ${serverErrors.length - MAX_SHOWN} more` : ''}
              </>
            )}
          </span>
        )}
      </div>
    </form>
  );
}

function Models({ configure }: { configure: boolean }) {
  const [version, setVersion] = useState(0);
  const models = useApi<{ items: TextModel[] }>('/api/v1/text-models', undefined, version);
  const reload = () => {
    clearApiCache('/api/v1/text-models');
    setVersion((v) => v + 1);
  };
  return (
    <Card title="Trained models" testId="models">
      <p className="note">
        Classifiers trained on your own labelled texts. The newest model of each kind is active: it analyses incoming
        texts alongside the taxonomy (and the “Try a text” box above).
      </p>
      {models.error ? (
        <ErrorBox error={models.error} />
      ) : !models.data ? (
        <Loading what="Loading models" />
      ) : models.data.items.length === 0 ? (
        <Empty title="No trained models yet">
          {configure
            ? 'Train one below from a file of labelled examples.'
            : 'An owner, admin or analyst can train one.'}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table data-testid="models-table">
            <thead>
              <tr>
                <th>Kind</th>
                <th>State</th>
                <th className="num">Examples</th>
                <th className="hide-phone">Labels</th>
                <th>Quality</th>
                <th>Trained</th>
              </tr>
            </thead>
            <tbody>
              {models.data.items.map((m) => (
                <tr key={m.id} data-model={m.id} data-kind={m.kind}>
                  <td>{titleCase(m.kind)}</td>
                  <td>{m.active ? <Chip tone="positive">active</Chip> : <span className="muted">replaced</span>}</td>
                  <td className="num">{count(m.examples)}</td>
                  <td className="hide-phone" title={m.labels.join(', ')}>
                    {m.labels.length}
                    <span className="muted">
                      {' '}
                      · {m.labels.slice(0, 4).join(', ')}
                      {m.labels.length > 4 ? ' …' : ''}
                    </span>
                  </td>
                  <td>{quality(m)}</td>
                  <td className="nowrap">
                    {dateTime(m.created_at)}
                    <span className="muted small block">
                      in {(m.train_ms / 1000).toFixed(1)} s · {Math.max(1, Math.round(m.bytes / 1024))} kB
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {configure && (
        <>
          <h3 className="tax-sub">Train a model</h3>
          <TrainForm onTrained={reload} />
        </>
      )}
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------

export default function Taxonomy({ me }: { me: Me }) {
  const configure = may(me, 'configure');
  // Trying a text stores nothing: the API asks only for the read permission.
  const canTry = may(me, 'read');
  const tax = useApi<TaxonomyDoc>('/api/v1/taxonomy');
  const [savedDoc, setSavedDoc] = useState<TaxonomyDoc | null>(null);
  const [savedAt, setSavedAt] = useState('');
  const [dirty, setDirty] = useState(false);
  const doc = savedDoc ?? tax.data;
  useEffect(() => {
    if (dirty) setSavedAt('');
  }, [dirty]);
  let body: ReactNode;
  if (tax.error && !doc) body = <ErrorBox error={tax.error} />;
  else if (!doc) body = <Loading what="Loading the taxonomy" />;
  else
    body = (
      <>
        <TaxonomyEditor
          doc={doc}
          editable={configure}
          saved={savedAt}
          onDirty={setDirty}
          onSaved={(d) => {
            setSavedDoc(d);
            setSavedAt(
              `Taxonomy saved (${count(d.topics.length)} topics). New texts are analysed with it from now on; try one below.`,
            );
          }}
        />
        <div id="try-it">
          {canTry ? (
            <TryIt topics={doc.topics} dirty={dirty} />
          ) : (
            <Card title="Try a text">
              <p className="note">
                Trying a text needs permission to read the organisation's texts, which your access lacks.
              </p>
            </Card>
          )}
        </div>
      </>
    );
  return (
    <>
      <PageHead title="Taxonomy">
        The topics Canopy looks for in what customers write, the phrases that find them, and the text models trained on
        your own examples.
      </PageHead>
      <p className="tax-jump">
        <a href="#try-it">Try a text</a> · <a href="#models">Trained models</a>
      </p>
      {body}
      <div id="models">
        <Models configure={configure} />
      </div>
    </>
  );
}
