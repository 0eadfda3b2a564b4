import { type ReactNode, useEffect, useMemo, useState } from 'react';
import {
  ApiError,
  api,
  clearApiCache,
  type Ending,
  type Funnel,
  fieldErrors,
  type LocalizedText,
  QUESTION_TYPES,
  type Question,
  type QuestionType,
  type Survey,
  type SurveyDefinition,
  type Touchpoint,
  useApi,
} from '../api';
import { Card, Empty, ErrorBox, Loading, PageHead } from '../components/ui';
import { fieldsBanner, humanise } from '../display';
import { count } from '../format';
import { Field } from '../loop/common';
import { keyFromName, nameFromKey } from '../naming';
import { Link, navigate, useLocation } from '../router';

const TYPE_LABEL: Record<QuestionType, string> = {
  nps: 'NPS (0–10)',
  csat: 'CSAT (1–5)',
  ces: 'Effort (CES)',
  rating: 'Rating',
  expectation: 'Expectation (1–5)',
  single_choice: 'Single choice',
  multi_choice: 'Multiple choice',
  text: 'Text',
};
const DEFAULT_TEXT: Record<QuestionType, string> = {
  nps: 'How likely are you to recommend us to a friend or colleague?',
  csat: 'How satisfied were you with your experience?',
  ces: 'How easy was it to get what you needed?',
  rating: 'How would you rate it?',
  expectation: 'Compared with what you expected, how was it?',
  single_choice: 'Which one fits best?',
  multi_choice: 'Which of these apply?',
  text: 'What is the main reason for your score?',
};

/** The text in the default language; other languages are kept as they are. */
function txt(t: LocalizedText | undefined, lang: string): string {
  if (t === undefined) return '';
  if (typeof t === 'string') return t;
  return t[lang] ?? Object.values(t)[0] ?? '';
}
function setTxt(t: LocalizedText | undefined, lang: string, v: string): LocalizedText | undefined {
  if (t !== undefined && typeof t !== 'string') return { ...t, [lang]: v };
  return v === '' ? undefined : v;
}
function scaleOf(q: Question): [number, number] | null {
  switch (q.type) {
    case 'nps':
      return [0, 10];
    case 'csat':
    case 'expectation':
      return [1, 5];
    case 'ces':
      return [1, q.scale_max ?? 7];
    case 'rating':
      return [q.scale_min ?? 1, q.scale_max ?? 5];
    default:
      return null;
  }
}
const isChoice = (t: QuestionType) => t === 'single_choice' || t === 'multi_choice';

function newQuestion(type: QuestionType, taken: Set<string>): Question {
  let id = type === 'text' ? 'comment' : type;
  for (let i = 2; taken.has(id); i++) id = `${type}_${i}`;
  const q: Question = { id, type, text: DEFAULT_TEXT[type], required: false };
  if (isChoice(type))
    q.options = [
      { value: 'option_1', label: 'Option 1' },
      { value: 'option_2', label: 'Option 2' },
    ];
  return q;
}

/** Changing a question's type keeps what all types share and drops the rest. */
function retype(q: Question, type: QuestionType): Question {
  const { id, text, help, required, page, show_if } = q;
  const base: Question = { id, type, text, ...(help ? { help } : {}), required, ...(page ? { page } : {}) };
  if (show_if) base.show_if = show_if;
  if (scaleOf(base)) {
    if (q.low_label) base.low_label = q.low_label;
    if (q.high_label) base.high_label = q.high_label;
  }
  if (isChoice(type))
    base.options = q.options ?? [
      { value: 'option_1', label: 'Option 1' },
      { value: 'option_2', label: 'Option 2' },
    ];
  return base;
}

const blank = (): SurveyDefinition => ({
  key: '',
  name: '',
  default_language: 'en',
  questions: [
    { id: 'nps', type: 'nps', text: DEFAULT_TEXT.nps, required: true },
    { id: 'reason', type: 'text', text: DEFAULT_TEXT.text, required: false },
  ],
  endings: [{ id: 'thanks', title: 'Thank you!', text: 'Your answer helps us do better.' }],
  public_link: false,
});

/** What the editor calls each field of a question, for the errors the server names by path. */
const QUESTION_FIELDS: Record<string, string> = {
  id: 'Id (answer field)',
  type: 'Type',
  text: 'Question',
  help: 'Help text',
  required: 'Required',
  page: 'Page',
  low_label: 'Low end label',
  high_label: 'High end label',
  scale_min: 'From',
  scale_max: 'To',
  higher_is_easier: 'Higher is easier',
  max_choices: 'At most (choices)',
  max_length: 'Longest answer',
  multiline: 'Several lines',
  options: 'Options',
  show_if: 'Follow-up',
};

/** A question's field in the editor's words (the effort question's `scale_max` is its "Scale"). */
function questionField(q: Question | undefined, f: string): string {
  if (q?.type === 'ces' && f === 'scale_max') return 'Scale';
  return QUESTION_FIELDS[f] ?? humanise(f);
}

/**
 * The labels of a refused survey's fields, by path, as the form shows them: "Question 3: Options"
 * for `questions[2].options`, "Thank-you title" for `endings[0].title` (for fieldsBanner).
 */
function surveyLabels(d: SurveyDefinition): Record<string, string> {
  const out: Record<string, string> = {
    name: 'Name',
    key: 'Key',
    slug: 'Key',
    touchpoint: 'Touchpoint',
    status: 'Status',
    public_link: 'Anyone with the link may answer',
    default_language: 'Language',
    questions: 'Questions',
    endings: 'Thank-you page',
    'endings[0]': 'Thank-you page',
    'endings[0].title': 'Thank-you title',
    'endings[0].text': 'Thank-you text',
  };
  d.questions.forEach((q, i) => {
    const n = `Question ${i + 1}`;
    out[`questions[${i}]`] = n;
    for (const f of Object.keys(QUESTION_FIELDS)) out[`questions[${i}].${f}`] = `${n}: ${questionField(q, f)}`;
    (q.options ?? []).forEach((_, j) => {
      out[`questions[${i}].options[${j}]`] = `${n}: option ${j + 1}`;
    });
  });
  (d.endings ?? []).forEach((_, i) => {
    if (i > 0) out[`endings[${i}]`] = `Ending ${i + 1}`;
  });
  return out;
}

/** The label of one field path: the longest labelled path it is, or is under. */
function labelOf(f: string, labels: Record<string, string>): string {
  const hit = Object.keys(labels)
    .filter((k) => f === k || f.startsWith(`${k}.`) || f.startsWith(`${k}[`))
    .sort((a, b) => b.length - a.length)[0];
  return hit ? labels[hit]! : humanise(f.replace(/\[\d+\]/g, ''));
}

/**
 * A server reason in the editor's words: other questions by their number ("also question 1", not
 * "questions[0]"), fields by the labels the form gives them.
 */
function plainReason(reason: string): string {
  return reason
    .replace(/\bquestions\[(\d+)\]/g, (_, n: string) => `question ${Number(n) + 1}`)
    .replace(/\bscale_min\b/g, '“From”')
    .replace(/\bbelow min\b/g, 'below “At least”')
    .replace(/: use min\/max, not in$/, ': give “At least” or “At most” instead of options')
    .replace(/: use in$/, ': tick the options that show it instead');
}

/** Whether the form shows a field's error beside a control of its own (else it is listed under the save bar). */
function placed(f: string): boolean {
  return (
    f.startsWith('questions[') ||
    f === 'questions' ||
    ['endings[0].title', 'endings[0].text', 'name', 'key', 'touchpoint', 'slug'].includes(f)
  );
}

/**
 * The save bar's words for a refusal: the fields to check by their labels (marked above it, each
 * with its reason), and whether more is listed under it; null when no field was named.
 */
function refusalBanner(errs: Record<string, string>, d: SurveyDefinition): string | null {
  const marked = Object.fromEntries(Object.entries(errs).filter(([f]) => placed(f)));
  const listed = Object.keys(errs).length > Object.keys(marked).length;
  const banner = fieldsBanner(marked, surveyLabels(d))?.replace(/ below\)\.$/, ' above).');
  if (!listed) return banner ?? null;
  return banner ? `${banner} Also fix what is listed below.` : 'Nothing was saved: fix what is listed below.';
}

/** Errors of one path and below: `questions[2]` gets `questions[2].options[0].value` too. */
function under(errs: Record<string, string>, path: string): [string, string][] {
  return Object.entries(errs).filter(([f]) => f === path || f.startsWith(`${path}.`) || f.startsWith(`${path}[`));
}

function QuestionEditor({
  q,
  i,
  all,
  lang,
  errs,
  onChange,
  onMove,
  onRemove,
}: {
  q: Question;
  i: number;
  all: Question[];
  lang: string;
  errs: Record<string, string>;
  onChange: (q: Question) => void;
  onMove: (d: -1 | 1) => void;
  onRemove: () => void;
}) {
  const p = `questions[${i}]`;
  const e = (f: string) => errs[`${p}.${f}`];
  const shown = new Set([
    'id',
    'type',
    'text',
    'help',
    'required',
    'low_label',
    'high_label',
    'scale_min',
    'scale_max',
    'max_choices',
    'max_length',
  ]);
  const rest = under(errs, p).filter(
    ([f]) => !(shown.has(f.slice(p.length + 1)) || f.startsWith(`${p}.show_if`) || f.startsWith(`${p}.options`)),
  );
  const set = (patch: Partial<Question>) => onChange({ ...q, ...patch });
  const scale = scaleOf(q);
  const earlier = all.slice(0, i).filter((x) => x.type !== 'text');
  const target = q.show_if ? all.find((x) => x.id === q.show_if?.question) : undefined;
  const tScale = target ? scaleOf(target) : null;
  const numOr = (v: string) =>
    v === '' ? undefined : Number.isFinite(Number(v)) ? Number(v) : (v as unknown as number);

  return (
    <li
      className={`question${rest.length || under(errs, p).length ? ' has-error' : ''}`}
      data-testid="question"
      data-qid={q.id}
    >
      <div className="question-head">
        <strong>
          {i + 1}. {TYPE_LABEL[q.type]}
        </strong>
        <span className="question-tools">
          <button
            type="button"
            className="secondary small"
            onClick={() => onMove(-1)}
            disabled={i === 0}
            aria-label={`Move question ${i + 1} up`}
          >
            ↑
          </button>
          <button
            type="button"
            className="secondary small"
            onClick={() => onMove(1)}
            disabled={i === all.length - 1}
            aria-label={`Move question ${i + 1} down`}
          >
            ↓
          </button>
          <button type="button" className="link" onClick={onRemove} aria-label={`Remove question ${i + 1}`}>
            Remove
          </button>
        </span>
      </div>
      <div className="form-grid">
        <Field label="Question" error={e('text')} wide>
          <input
            value={txt(q.text, lang)}
            onChange={(x) => set({ text: setTxt(q.text, lang, x.target.value) ?? '' })}
            data-testid="q-text"
          />
        </Field>
        <Field label="Type" error={e('type')}>
          <select
            value={q.type}
            onChange={(x) => onChange(retype(q, x.target.value as QuestionType))}
            data-testid="q-type"
          >
            {QUESTION_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABEL[t]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Id (answer field)" error={e('id')}>
          <input value={q.id} onChange={(x) => set({ id: x.target.value })} data-testid="q-id" />
        </Field>
        <label className="check">
          <input type="checkbox" checked={!!q.required} onChange={(x) => set({ required: x.target.checked })} />{' '}
          Required
        </label>
        {scale && (
          <>
            <Field label="Low end label" error={e('low_label')}>
              <input
                value={txt(q.low_label, lang)}
                placeholder={q.type === 'nps' ? 'Not at all likely' : 'optional'}
                onChange={(x) => set({ low_label: setTxt(q.low_label, lang, x.target.value) })}
              />
            </Field>
            <Field label="High end label" error={e('high_label')}>
              <input
                value={txt(q.high_label, lang)}
                placeholder={q.type === 'nps' ? 'Extremely likely' : 'optional'}
                onChange={(x) => set({ high_label: setTxt(q.high_label, lang, x.target.value) })}
              />
            </Field>
          </>
        )}
        {q.type === 'ces' && (
          <Field label="Scale" error={e('scale_max')}>
            <select value={q.scale_max ?? 7} onChange={(x) => set({ scale_max: Number(x.target.value) })}>
              <option value={7}>1–7</option>
              <option value={5}>1–5</option>
            </select>
          </Field>
        )}
        {q.type === 'rating' && (
          <>
            <Field label="From" error={e('scale_min')}>
              <input
                inputMode="numeric"
                value={q.scale_min ?? ''}
                placeholder="1"
                onChange={(x) => set({ scale_min: numOr(x.target.value) })}
              />
            </Field>
            <Field label="To" error={e('scale_max')}>
              <input
                inputMode="numeric"
                value={q.scale_max ?? ''}
                placeholder="5"
                onChange={(x) => set({ scale_max: numOr(x.target.value) })}
              />
            </Field>
          </>
        )}
        {q.type === 'multi_choice' && (
          <Field label="At most (choices)" error={e('max_choices')} hint="optional">
            <input
              inputMode="numeric"
              value={q.max_choices ?? ''}
              onChange={(x) => set({ max_choices: numOr(x.target.value) })}
            />
          </Field>
        )}
        {q.type === 'text' && (
          <label className="check">
            <input
              type="checkbox"
              checked={q.multiline !== false}
              onChange={(x) => set({ multiline: x.target.checked })}
            />{' '}
            Several lines
          </label>
        )}
      </div>
      {isChoice(q.type) && (
        <fieldset className="options">
          <legend>Options</legend>
          {(q.options ?? []).map((o, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: options are edited in place
            <div key={j} className="option-row">
              <Field label="Value" error={errs[`${p}.options[${j}].value`]}>
                <input
                  value={o.value}
                  onChange={(x) =>
                    set({ options: q.options!.map((y, k) => (k === j ? { ...y, value: x.target.value } : y)) })
                  }
                />
              </Field>
              <Field label="Label" error={errs[`${p}.options[${j}].label`]}>
                <input
                  value={txt(o.label, lang)}
                  onChange={(x) =>
                    set({
                      options: q.options!.map((y, k) =>
                        k === j ? { ...y, label: setTxt(y.label, lang, x.target.value) ?? '' } : y,
                      ),
                    })
                  }
                />
              </Field>
              <button
                type="button"
                className="link"
                onClick={() => set({ options: q.options!.filter((_, k) => k !== j) })}
              >
                Remove
              </button>
            </div>
          ))}
          {errs[`${p}.options`] && (
            <small className="field-error" role="alert">
              {errs[`${p}.options`]}
            </small>
          )}
          <button
            type="button"
            className="secondary small"
            onClick={() => {
              const n = (q.options?.length ?? 0) + 1;
              set({ options: [...(q.options ?? []), { value: `option_${n}`, label: `Option ${n}` }] });
            }}
          >
            Add option
          </button>
        </fieldset>
      )}
      {i > 0 && (
        <fieldset className="follow-up">
          <legend>
            <label className="check">
              <input
                type="checkbox"
                checked={!!q.show_if}
                disabled={earlier.length === 0}
                onChange={(x) => {
                  if (!x.target.checked) {
                    const { show_if: _, ...restQ } = q;
                    onChange(restQ as Question);
                    return;
                  }
                  const t = earlier.at(-1)!;
                  const s = scaleOf(t);
                  set({
                    show_if: s
                      ? { question: t.id, max: t.type === 'nps' ? 6 : s[0] + 1 }
                      : { question: t.id, in: [t.options?.[0]?.value ?? ''] },
                  });
                }}
                data-testid="q-followup"
              />{' '}
              Follow-up: show only when an earlier answer is…
            </label>
          </legend>
          {q.show_if && (
            <div className="form-grid">
              <Field label="Question" error={errs[`${p}.show_if.question`] ?? errs[`${p}.show_if`]}>
                <select
                  value={q.show_if.question}
                  onChange={(x) => {
                    const t = all.find((y) => y.id === x.target.value);
                    const s = t ? scaleOf(t) : null;
                    set({
                      show_if: s ? { question: x.target.value, max: s[0] } : { question: x.target.value, in: [] },
                    });
                  }}
                >
                  {earlier.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.id}: {txt(x.text, lang).slice(0, 40)}
                    </option>
                  ))}
                  {!earlier.some((x) => x.id === q.show_if?.question) && (
                    <option value={q.show_if.question}>{q.show_if.question}</option>
                  )}
                </select>
              </Field>
              {tScale || !target || !isChoice(target.type) ? (
                <>
                  <Field
                    label={`At least${tScale ? ` (${tScale[0]}–${tScale[1]})` : ''}`}
                    error={errs[`${p}.show_if.min`]}
                  >
                    <input
                      inputMode="numeric"
                      value={q.show_if.min ?? ''}
                      onChange={(x) => set({ show_if: { ...q.show_if!, min: numOr(x.target.value) } })}
                      data-testid="q-followup-min"
                    />
                  </Field>
                  <Field label="At most" error={errs[`${p}.show_if.max`]}>
                    <input
                      inputMode="numeric"
                      value={q.show_if.max ?? ''}
                      onChange={(x) => set({ show_if: { ...q.show_if!, max: numOr(x.target.value) } })}
                      data-testid="q-followup-max"
                    />
                  </Field>
                </>
              ) : (
                <fieldset className="seg">
                  <legend className="small muted">Any of</legend>
                  {(target.options ?? []).map((o) => (
                    <label key={o.value} className="check">
                      <input
                        type="checkbox"
                        checked={q.show_if?.in?.includes(o.value) ?? false}
                        onChange={(x) => {
                          const cur = new Set(q.show_if?.in ?? []);
                          if (x.target.checked) cur.add(o.value);
                          else cur.delete(o.value);
                          set({ show_if: { question: target.id, in: [...cur] } });
                        }}
                      />
                      {txt(o.label, lang)}
                    </label>
                  ))}
                  {under(errs, `${p}.show_if.in`).map(([f, r]) => (
                    <small key={f} className="field-error" role="alert">
                      {r}
                    </small>
                  ))}
                </fieldset>
              )}
            </div>
          )}
        </fieldset>
      )}
      {rest.map(([f, r]) => {
        // A field the editor has no control for here (page, help text …): named in words.
        const sub = f.slice(p.length + 1).replace(/\[\d+\]/g, '');
        return (
          <p key={f} className="field-error" role="alert">
            {sub ? `${questionField(q, sub.split('.')[0]!)}: ${r}` : r}
          </p>
        );
      })}
    </li>
  );
}

/** A look at the survey as customers will see it: answers here open the follow-ups, nothing is sent. */
function Preview({ d, lang }: { d: SurveyDefinition; lang: string }) {
  const [ans, setAns] = useState<Record<string, number | string | string[]>>({});
  const visible = (c: { question: string; min?: number; max?: number; in?: string[] } | undefined) => {
    if (!c) return true;
    const a = ans[c.question];
    if (a === undefined) return false;
    if (typeof a === 'number') return (c.min === undefined || a >= c.min) && (c.max === undefined || a <= c.max);
    const vals = Array.isArray(a) ? a : [a];
    return !!c.in?.some((v) => vals.includes(v));
  };
  const qs = d.questions.filter((q) => visible(q.show_if));
  const ending = (d.endings ?? []).find((e) => visible(e.show_if)) ?? d.endings?.[0];
  return (
    <div className="preview" data-testid="survey-preview">
      <h3>{d.name || 'Untitled survey'}</h3>
      {qs.map((q) => {
        const s = scaleOf(q);
        return (
          <div key={q.id} className="pq">
            <p className="pq-text">
              {txt(q.text, lang) || <em className="muted">(no text)</em>}
              {q.required && <span aria-hidden="true"> *</span>}
            </p>
            {q.show_if && <p className="muted small">follow-up of {q.show_if.question}</p>}
            {s && (
              <>
                <div className="scale" role="radiogroup" aria-label={txt(q.text, lang)}>
                  {Array.from({ length: Math.max(0, Math.min(11, s[1] - s[0] + 1)) }, (_, k) => s[0] + k).map((v) => (
                    <button
                      key={v}
                      type="button"
                      aria-pressed={ans[q.id] === v}
                      onClick={() => setAns({ ...ans, [q.id]: v })}
                    >
                      {v}
                    </button>
                  ))}
                </div>
                {(q.low_label || q.high_label) && (
                  <div className="scale-labels small muted">
                    <span>{txt(q.low_label, lang)}</span>
                    <span>{txt(q.high_label, lang)}</span>
                  </div>
                )}
              </>
            )}
            {isChoice(q.type) &&
              (q.options ?? []).map((o) => {
                const cur = ans[q.id];
                const on = Array.isArray(cur) ? cur.includes(o.value) : cur === o.value;
                return (
                  <label key={o.value} className="check block">
                    <input
                      type={q.type === 'single_choice' ? 'radio' : 'checkbox'}
                      name={`pv-${q.id}`}
                      checked={on}
                      onChange={() => {
                        if (q.type === 'single_choice') setAns({ ...ans, [q.id]: o.value });
                        else {
                          const set = new Set(Array.isArray(cur) ? cur : []);
                          if (on) set.delete(o.value);
                          else set.add(o.value);
                          setAns({ ...ans, [q.id]: [...set] });
                        }
                      }}
                    />
                    {txt(o.label, lang)}
                  </label>
                );
              })}
            {q.type === 'text' && <textarea rows={q.multiline === false ? 1 : 3} aria-label={txt(q.text, lang)} />}
          </div>
        );
      })}
      {ending && (
        <div className="pq ending">
          <strong>{txt(ending.title, lang)}</strong>
          {ending.text && <p>{txt(ending.text, lang)}</p>}
        </div>
      )}
    </div>
  );
}

function FunnelView({ k }: { k: string }) {
  const f = useApi<Funnel>(`/api/v1/surveys/${encodeURIComponent(k)}/funnel`, { group_by: 'channel' });
  if (f.error) return <ErrorBox error={f.error} />;
  if (!f.data) return <Loading what="Loading the funnel" />;
  const t = f.data.total;
  if (t.invited === 0 && t.completed === 0)
    return (
      <Empty title="No invitations yet">
        Send invitations through the API or a trigger; the funnel fills in as customers open and answer.
      </Empty>
    );
  const steps: [string, number][] = [
    ['Sent', t.sent],
    ['Opened', t.opened],
    ['Started', t.started],
    ['Completed', t.completed],
  ];
  const top = Math.max(1, t.sent, t.completed);
  return (
    <>
      <p className="summary">
        <span className="value" data-testid="response-rate">
          {t.response_rate === null ? '—' : `${t.response_rate.toFixed(1)}%`}
        </span>
        <span className="muted">response rate (completed ÷ sent)</span>
      </p>
      <ul className="funnel" data-testid="funnel">
        {steps.map(([label, n]) => (
          <li key={label}>
            <span className="f-label">{label}</span>
            <span className="f-bar" aria-hidden="true">
              <span style={{ width: `${(100 * n) / top}%` }} />
            </span>
            <span className="f-n">{count(n)}</span>
          </li>
        ))}
      </ul>
      <p className="note">
        Invited {count(t.invited)} · skipped by contact rules {count(t.skipped)} · failed {count(t.failed)} · open rate{' '}
        {t.open_rate ?? '—'}% · completion {t.completion_rate ?? '—'}% of those who started
      </p>
      {f.data.groups.length > 1 && (
        <table>
          <thead>
            <tr>
              <th>Channel</th>
              <th className="num">Sent</th>
              <th className="num">Completed</th>
              <th className="num">Rate</th>
            </tr>
          </thead>
          <tbody>
            {f.data.groups.map((g) => (
              <tr key={g.channel ?? 'none'}>
                <td>{g.channel ?? '—'}</td>
                <td className="num">{count(g.sent)}</td>
                <td className="num">{count(g.completed)}</td>
                <td className="num">{g.response_rate === null ? '—' : `${g.response_rate.toFixed(1)}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Card title={title} testId={testId}>
      {children}
    </Card>
  );
}

export default function SurveyEditor({ id }: { id?: string }) {
  const isNew = !id || id === 'new';
  const [version, setVersion] = useState(0);
  const loaded = useApi<Survey>(isNew ? null : `/api/v1/surveys/${encodeURIComponent(id!)}`, undefined, version);
  const tps = useApi<{ items: Touchpoint[] }>('/api/v1/touchpoints');
  const [d, setD] = useState<SurveyDefinition | null>(isNew ? blank() : null);
  const [status, setStatus] = useState<Survey['status']>('draft');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  // A new survey's key follows its name until the key is edited (or comes from ?key=).
  const [keyEdited, setKeyEdited] = useState(false);
  const { search } = useLocation();
  const askedKey = isNew ? new URLSearchParams(search).get('key') : null;

  useEffect(() => {
    if (loaded.data) {
      setD(structuredClone(loaded.data.definition));
      setStatus(loaded.data.status);
      setDirty(false);
    }
  }, [loaded.data]);
  useEffect(() => {
    if (isNew) {
      // "Define" from the surveys list: a survey known from its answers gets their key.
      setD(askedKey ? { ...blank(), key: askedKey, name: nameFromKey(askedKey) } : blank());
      setKeyEdited(!!askedKey);
      setStatus('draft');
    }
  }, [isNew, askedKey]);

  const lang = d?.default_language ?? 'en';
  const ids = useMemo(() => new Set(d?.questions.map((q) => q.id) ?? []), [d]);
  if (!isNew && loaded.error) return <ErrorBox error={loaded.error} />;
  if (!d) return <Loading what="Loading survey" />;

  const edit = (patch: Partial<SurveyDefinition>) => {
    setD({ ...d, ...patch });
    setDirty(true);
    setSaved('');
    // An edited field's earlier error no longer applies.
    const stale = Object.keys(patch).filter((f) => f in errs);
    if (stale.length) setErrs(Object.fromEntries(Object.entries(errs).filter(([f]) => !stale.includes(f))));
  };
  const editName = (name: string) => edit(isNew && !keyEdited ? { name, key: keyFromName(name) } : { name });
  const editKey = (key: string) => {
    // Emptied, the key follows the name again from its next change.
    setKeyEdited(key !== '');
    edit({ key });
  };
  const setQ = (i: number, q: Question) => edit({ questions: d.questions.map((x, k) => (k === i ? q : x)) });
  // The server's errors name questions by place: after a move or a removal they would mark the wrong ones.
  const reorder = (questions: Question[]) => {
    edit({ questions });
    if (!Object.keys(errs).some((f) => f.startsWith('questions'))) return;
    const left = Object.fromEntries(Object.entries(errs).filter(([f]) => !f.startsWith('questions')));
    setErrs(left);
    setError(refusalBanner(left, { ...d, questions }) ?? '');
  };
  const move = (i: number, by: -1 | 1) => {
    const qs = [...d.questions];
    const [q] = qs.splice(i, 1);
    qs.splice(i + by, 0, q!);
    reorder(qs);
  };
  const endings = d.endings ?? [];
  const thanks: Ending = endings[0] ?? { id: 'thanks', title: '' };
  const setThanks = (patch: Partial<Ending>) => {
    const e = { ...thanks, ...patch };
    edit({ endings: [e, ...endings.slice(1)] });
  };

  const save = async () => {
    setBusy(true);
    setErrs({});
    setError('');
    setSaved('');
    try {
      const body = { ...d, status };
      const s = isNew
        ? await api<Survey>('POST', '/api/v1/surveys', body)
        : await api<Survey>('PUT', `/api/v1/surveys/${encodeURIComponent(id!)}`, body);
      clearApiCache('/api/v1/surveys');
      setDirty(false);
      setSaved(`Saved: version ${s.version}`);
      if (isNew) navigate(`/surveys/${encodeURIComponent(s.key)}`, { replace: true });
      else setVersion((v) => v + 1);
    } catch (x) {
      // Each reason in the form's words, at its field; the banner names the fields to check.
      const f = Object.fromEntries(Object.entries(fieldErrors(x)).map(([k, r]) => [k, plainReason(r)]));
      setErrs(f);
      setError(refusalBanner(f, d) ?? (x instanceof ApiError ? x.detail || x.title : (x as Error).message));
    } finally {
      setBusy(false);
    }
  };
  const s = loaded.data;
  // Errors on what the form has no field for (a conditional ending, the language …): listed by name.
  const topErrs = Object.entries(errs).filter(([f]) => !placed(f));
  const labels = surveyLabels(d);

  return (
    <>
      <p>
        <Link to="/surveys" keepFilters={false}>
          ← Surveys
        </Link>
      </p>
      <PageHead title={isNew ? 'New survey' : d.name || 'Survey'}>
        {s
          ? `Version ${s.version} · ${s.status}`
          : 'Questions, follow-ups and the thank-you text; saved as a new version.'}
      </PageHead>
      <div className="editor">
        <div className="editor-main">
          <Section title="Survey" testId="survey-settings">
            <div className="form-grid">
              <Field label="Name" error={errs.name} wide>
                <input value={d.name} onChange={(e) => editName(e.target.value)} data-testid="survey-name" />
              </Field>
              <Field
                label="Key"
                error={errs.key ?? (errs.slug && `its page address ${errs.slug}: choose another key`)}
                hint={
                  isNew
                    ? keyEdited
                      ? 'responses carry it as survey'
                      : 'from the name until you change it; responses carry it as survey'
                    : 'cannot change'
                }
              >
                <input
                  value={d.key}
                  readOnly={!isNew}
                  onChange={(e) => editKey(e.target.value)}
                  placeholder="post-delivery"
                  data-testid="survey-key"
                />
              </Field>
              <Field label="Touchpoint" error={errs.touchpoint}>
                <select value={d.touchpoint ?? ''} onChange={(e) => edit({ touchpoint: e.target.value || undefined })}>
                  <option value="">None</option>
                  {(tps.data?.items ?? []).map((t) => (
                    <option key={t.key} value={t.key}>
                      {t.name}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Status">
                <select
                  value={status}
                  onChange={(e) => {
                    setStatus(e.target.value as Survey['status']);
                    setDirty(true);
                  }}
                  data-testid="survey-status"
                >
                  {['draft', 'active', 'paused', 'archived'].map((x) => (
                    <option key={x} value={x}>
                      {x}
                    </option>
                  ))}
                </select>
              </Field>
              <label className="check">
                <input
                  type="checkbox"
                  checked={!!d.public_link}
                  onChange={(e) => edit({ public_link: e.target.checked })}
                />{' '}
                Anyone with the link may answer
              </label>
            </div>
          </Section>
          <Section title={`Questions (${d.questions.length})`} testId="questions">
            {under(errs, 'questions')
              .filter(([f]) => f === 'questions')
              .map(([f, r]) => (
                <p key={f} className="field-error" role="alert">
                  {r}
                </p>
              ))}
            <ol className="questions">
              {d.questions.map((q, i) => (
                <QuestionEditor
                  // biome-ignore lint/suspicious/noArrayIndexKey: questions are edited in place; ids change as typed
                  key={i}
                  q={q}
                  i={i}
                  all={d.questions}
                  lang={lang}
                  errs={errs}
                  onChange={(x) => setQ(i, x)}
                  onMove={(by) => move(i, by)}
                  onRemove={() => reorder(d.questions.filter((_, k) => k !== i))}
                />
              ))}
            </ol>
            <div className="add-question">
              <span className="muted">Add:</span>
              {QUESTION_TYPES.map((t) => (
                <button
                  key={t}
                  type="button"
                  className="secondary small"
                  onClick={() => edit({ questions: [...d.questions, newQuestion(t, ids)] })}
                  data-testid={`add-${t}`}
                >
                  {TYPE_LABEL[t]}
                </button>
              ))}
            </div>
          </Section>
          <Section title="Thank-you page" testId="thanks">
            <div className="form-grid">
              <Field label="Title" error={errs['endings[0].title']} wide>
                <input
                  value={txt(thanks.title, lang)}
                  onChange={(e) => setThanks({ title: setTxt(thanks.title, lang, e.target.value) ?? '' })}
                  data-testid="thanks-title"
                />
              </Field>
              <Field label="Text" error={errs['endings[0].text']} wide>
                <textarea
                  rows={2}
                  value={txt(thanks.text, lang)}
                  onChange={(e) => setThanks({ text: setTxt(thanks.text, lang, e.target.value) })}
                  data-testid="thanks-text"
                />
              </Field>
            </div>
            {endings.length > 1 && (
              <p className="note">This survey has {endings.length - 1} more conditional ending(s), kept as they are.</p>
            )}
          </Section>
          <div className="save-bar">
            <button type="button" className="primary" onClick={save} disabled={busy} data-testid="survey-save">
              {busy ? 'Saving…' : isNew ? 'Create survey' : 'Save new version'}
            </button>
            {dirty && !busy && <span className="muted">Unsaved changes</span>}
            {saved && (
              <span className="ok" role="status" data-testid="survey-saved">
                {saved}
              </span>
            )}
            {error && (
              <span className="error inline" role="alert" data-testid="survey-error">
                {error}
              </span>
            )}
          </div>
          {error && topErrs.length > 0 && (
            <div className="error" data-testid="survey-problems">
              <strong>Not on the form above:</strong>
              <ul className="tax-problems">
                {topErrs.map(([f, r]) => (
                  <li key={f}>
                    {labelOf(f, labels)}: {r}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
        <aside className="editor-side">
          <Section title="Preview" testId="preview">
            {s && (
              <p className="note">
                Hosted page:{' '}
                <a href={s.url} target="_blank" rel="noreferrer" data-testid="hosted-link">
                  {s.url.replace(/^https?:\/\//, '')}
                </a>
                {s.status !== 'active'
                  ? ' (opens once the survey is active)'
                  : !s.definition.public_link
                    ? ' (answered from personal invitation links)'
                    : ''}
              </p>
            )}
            <Preview d={d} lang={lang} />
          </Section>
          {s && (
            <Section title="Response rate" testId="survey-funnel">
              <FunnelView k={s.key} />
            </Section>
          )}
        </aside>
      </div>
    </>
  );
}
