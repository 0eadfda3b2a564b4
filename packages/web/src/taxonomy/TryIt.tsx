// "Try a text": analyse a pasted text with the saved taxonomy and the active trained models
// (nothing is stored).
import { type FormEvent, useState } from 'react';
import { api, type TaxonomyEntry, type TextAnalysisResult } from '../api';
import { Card } from '../components/ui';
import { Field } from '../loop/common';
import { Analysed } from './Analysed';
import { errorText } from './common';

export function TryIt({ topics, dirty }: { topics: TaxonomyEntry[]; dirty: boolean }) {
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
