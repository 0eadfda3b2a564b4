// Training a text model from a file of labelled examples: the file is read and checked here
// (training-file.ts), and only a file without problems is sent.
import { type ChangeEvent, type FormEvent, useMemo, useRef, useState } from 'react';
import { api, fieldErrors, type TextModel } from '../api';
import { modelKindPhrase, plural } from '../display';
import { count } from '../format';
import { Field } from '../loop/common';
import { errorText } from './common';
import { quality } from './model-quality';
import {
  BODY_BYTES,
  type ParsedTrainingFile,
  parseTrainingFile,
  TRAIN_MAX,
  TRAIN_MIN,
  trainingErrorLines,
} from './training-file';

const KINDS: [TextModel['kind'], string, string][] = [
  ['intents', 'Intents', 'One label per text: what the customer wants, e.g. refund, track_order.'],
  ['topics', 'Topics', 'One or more labels per text; labels that are topic keys in the taxonomy are added as topics.'],
  ['sentiment', 'Sentiment', 'One label per text: negative, neutral or positive. Replaces the built-in sentiment.'],
];

export function TrainForm({ onTrained }: { onTrained: () => void }) {
  const [kind, setKind] = useState<TextModel['kind']>('intents');
  const [parsed, setParsed] = useState<ParsedTrainingFile | null>(null);
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
        `Trained ${modelKindPhrase(m.kind)} on ${plural(m.examples, 'example')} (${plural(m.labels.length, 'label')}): ${quality(m)}. It is now the active ${modelKindPhrase(m.kind).replace(/^an? /, '')}.`,
      );
      setParsed(null);
      if (fileRef.current) fileRef.current.value = '';
      onTrained();
    } catch (x) {
      setError(errorText(x));
      setServerErrors(trainingErrorLines(fieldErrors(x), parsed.lines));
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
