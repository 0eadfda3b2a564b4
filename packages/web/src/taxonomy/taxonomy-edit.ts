// The taxonomy editor's working copy and the pure rules on it: drafts of topics, the tree they
// form, what differs from the saved taxonomy, checks on a new topic, and the server's field errors
// mapped back to the topics that were sent. No React, no DOM and no imports, so Node's test runner
// runs it as it is (packages/web/test).

/** The server's limits (packages/server/src/routes/text.ts). */
export const MAX_PHRASE = 200;
export const MAX_KEY = 200;

/** A topic as the API reads and writes it (api.ts exports it as TaxonomyEntry). */
export interface TopicEntry {
  key: string;
  label: string;
  parent: string | null;
  sevenP: string;
  department: string;
  phrases: string[];
}

/** The editor's working copy of one topic, phrases as the textarea's text. */
export interface Draft {
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
/** A uid no draft has had yet. */
export const newUid = (): number => nextUid++;

export const toDraft = (t: TopicEntry): Draft => ({
  uid: newUid(),
  key: t.key,
  label: t.label,
  parent: t.parent ?? null,
  sevenP: t.sevenP,
  department: t.department,
  text: t.phrases.join('\n'),
});

/** The phrases in a textarea's text: one a line, trimmed, blank lines dropped. */
export const phrasesOf = (text: string): string[] =>
  text
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);

export const toEntry = (d: Draft): TopicEntry => ({
  key: d.key,
  label: d.label.trim(),
  parent: d.parent,
  sevenP: d.sevenP,
  department: d.department,
  phrases: phrasesOf(d.text),
});

/** Whether a topic is as saved (field by field: the server may give its fields in another order). */
export function sameEntry(a: TopicEntry, b: TopicEntry): boolean {
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

// ---------------------------------------------------------------------------------------------
// The tree.

/** Topics by parent, in list order; a topic whose parent is missing is shown at the top level. */
export function childrenOf(draft: Draft[]): Map<string | null, Draft[]> {
  const keys = new Set(draft.map((d) => d.key));
  const out = new Map<string | null, Draft[]>();
  for (const d of draft) {
    const p = d.parent !== null && keys.has(d.parent) && d.parent !== d.key ? d.parent : null;
    out.set(p, [...(out.get(p) ?? []), d]);
  }
  return out;
}

/** Every topic in tree order with its depth (for the parent picker). */
export function treeOrder(kids: Map<string | null, Draft[]>): { d: Draft; depth: number }[] {
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

/** The list with `d` added: at the end, or after its parent's last descendant so the saved list reads as a tree too. */
export function insertDraft(ds: Draft[], d: Draft): Draft[] {
  if (!d.parent) return [...ds, d];
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
}

// ---------------------------------------------------------------------------------------------
// What differs from the saved taxonomy.

export type DraftStatus = 'new' | 'changed' | null;

/** A topic's state against the saved topics by key: new, changed, or as saved (null). */
export function draftStatus(savedByKey: Map<string, TopicEntry>, d: Draft): DraftStatus {
  const was = savedByKey.get(d.key);
  if (was === undefined) return 'new';
  return sameEntry(was, toEntry(d)) ? null : 'changed';
}

export interface Changes {
  added: number;
  changed: number;
  removed: number;
}

/** How many topics the working copy adds, changes and removes against the saved ones. */
export function changesOf(saved: TopicEntry[], draft: Draft[]): Changes {
  const savedByKey = new Map(saved.map((t) => [t.key, t]));
  const keysNow = new Set(draft.map((d) => d.key));
  return {
    added: draft.filter((d) => !savedByKey.has(d.key)).length,
    changed: draft.filter((d) => draftStatus(savedByKey, d) === 'changed').length,
    removed: saved.filter((t) => !keysNow.has(t.key)).length,
  };
}

/** The changes in words for the save bar, e.g. ["1 added", "2 removed"]; empty when there are none. */
export function changeSummary(c: Changes): string[] {
  return [
    c.added && `${c.added} added`,
    c.changed && `${c.changed} changed`,
    c.removed && `${c.removed} removed`,
  ].filter((x): x is string => Boolean(x));
}

// ---------------------------------------------------------------------------------------------
// Someone else saved first: their taxonomy with this editor's changes on top.

/** A topic that both sides changed, and which side the rebased draft keeps. */
export interface RebaseConflict {
  key: string;
  /** What happened on each side, in words, e.g. "you changed it; they removed it". */
  what: string;
  kept: 'yours' | 'theirs';
}

/**
 * Three-way merge of the editor's draft (made from `base`) onto `theirs` (saved since): topics
 * only one side changed, added or removed take that side's change; where both changed a topic
 * differently the editor's version is kept (it is what the user sees and meant to save), but a
 * topic they changed and the editor removed is kept as theirs, so nothing of theirs is dropped
 * unseen. Drafts keep their uid (and so their open form); their topics come in their order, then
 * the editor's additions.
 */
export function rebaseDraft(
  base: TopicEntry[],
  draft: Draft[],
  theirs: TopicEntry[],
): { draft: Draft[]; conflicts: RebaseConflict[] } {
  const baseBy = new Map(base.map((t) => [t.key, t]));
  const mineBy = new Map(draft.map((d) => [d.key, d]));
  const theirsBy = new Map(theirs.map((t) => [t.key, t]));
  const changed = (t: TopicEntry, b: TopicEntry | undefined) => !b || !sameEntry(t, b);
  const out: Draft[] = [];
  const conflicts: RebaseConflict[] = [];
  for (const t of theirs) {
    const b = baseBy.get(t.key);
    const mine = mineBy.get(t.key);
    const theirsChanged = changed(t, b);
    if (!mine) {
      if (!b)
        out.push(toDraft(t)); // they added it
      else if (theirsChanged) {
        out.push(toDraft(t));
        conflicts.push({ key: t.key, what: 'you removed it; they changed it', kept: 'theirs' });
      } // else: the editor's removal stands
      continue;
    }
    const m = toEntry(mine);
    if (!changed(m, b)) out.push({ ...toDraft(t), uid: mine.uid });
    else {
      out.push(mine);
      if (theirsChanged && !sameEntry(m, t))
        conflicts.push({ key: t.key, what: b ? 'you both changed it' : 'you both added it', kept: 'yours' });
    }
  }
  for (const d of draft) {
    if (theirsBy.has(d.key)) continue;
    const b = baseBy.get(d.key);
    if (!b)
      out.push(d); // the editor added it
    else if (changed(toEntry(d), b)) {
      out.push(d);
      conflicts.push({ key: d.key, what: 'you changed it; they removed it', kept: 'yours' });
    } // else: their removal stands
  }
  return { draft: out, conflicts };
}

// ---------------------------------------------------------------------------------------------
// A new topic (the "Add a topic" form).

export interface NewTopic {
  parent: string;
  key: string;
  label: string;
  sevenP: string;
  department: string;
  text: string;
}
export const NEW_TOPIC: NewTopic = {
  parent: '',
  key: '',
  label: '',
  sevenP: 'process',
  department: 'service',
  text: '',
};

export type NewTopicErrors = Partial<Record<keyof NewTopic, string>>;

/**
 * The form after picking `key` as the parent: a sub-topic's key starts with its parent's (filled in
 * while the key is empty or still just the old parent's prefix), and it usually shares the parent's
 * 7P and owner.
 */
export function withParent(
  t: NewTopic,
  key: string,
  parent: Pick<TopicEntry, 'sevenP' | 'department'> | undefined,
): NewTopic {
  return {
    ...t,
    parent: key,
    key: t.key === '' || t.key === `${t.parent}.` ? (key ? `${key}.` : '') : t.key,
    ...(parent ? { sevenP: parent.sevenP, department: parent.department } : {}),
  };
}

/**
 * What is wrong with a new topic before it joins the list: its key (empty, too long, badly shaped
 * by `keyRe`, or taken by one of `keys`), its label, and its phrases' length. Empty when it may be added.
 */
export function checkNewTopic(t: NewTopic, keys: Iterable<string>, keyRe: RegExp): NewTopicErrors {
  const key = t.key.trim();
  const taken = new Set(keys);
  const found: NewTopicErrors = {};
  if (!key) found.key = 'give the topic a key';
  else if (key.length > MAX_KEY) found.key = `at most ${MAX_KEY} characters`;
  else if (!keyRe.test(key))
    found.key = 'lower-case letters, digits, _ or -, in words separated by dots, e.g. service.queue_jumping';
  else if (taken.has(key)) found.key = `there is already a topic with the key ${key}`;
  if (!t.label.trim()) found.label = 'give the topic a label';
  const long = phrasesOf(t.text).findIndex((p) => p.length > MAX_PHRASE);
  if (long >= 0) found.text = `line ${long + 1} is longer than ${MAX_PHRASE} characters`;
  return found;
}

/** A new topic's draft, as checked: key and label trimmed, no parent when none was picked. */
export function draftOfNew(t: NewTopic): Draft {
  return {
    uid: newUid(),
    key: t.key.trim(),
    label: t.label.trim(),
    parent: t.parent || null,
    sevenP: t.sevenP,
    department: t.department,
    text: t.text,
  };
}

// ---------------------------------------------------------------------------------------------
// The server's refusal.

/** Field errors by topic uid, then by field (`topic` for the topic as a whole). */
export type TopicErrors = Record<number, Record<string, string>>;

/** The fields the per-topic form edits: an error on one of them shows at the field, the rest in the topic's row. */
export const FORM_FIELDS = ['label', 'sevenP', 'department', 'phrases'];

/** Field names as the page words them. */
export const FIELD_NAMES: Record<string, string> = {
  key: 'key',
  label: 'label',
  parent: 'parent',
  sevenP: '7P dimension',
  department: 'department',
  phrases: 'phrases',
  topic: 'topic',
};

/**
 * Server field errors (`topics[3].parent`, `topics[3].phrases[2]`) mapped back to the topics that
 * were sent, by uid; a phrase's error names its line and text. Anything else (`topics`, a topic
 * index that was not sent) is returned as it came, in `other`.
 */
export function splitErrors(
  errs: Record<string, string>,
  sent: Draft[],
): { byTopic: TopicErrors; other: [string, string][] } {
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

/** The uids of topics with an error in a field their form edits (their forms open so it shows at the field). */
export function withFormErrors(byTopic: TopicErrors): number[] {
  return Object.entries(byTopic)
    .filter(([, e]) => Object.keys(e).some((f) => FORM_FIELDS.includes(f)))
    .map(([uid]) => Number(uid));
}
