// Stored texts and the saved taxonomy: how many had their topics found with an earlier one, and
// the job that finds them again (POST /api/v1/taxonomy/reanalysis), followed until it is done.
import { type ReactNode, useEffect, useState } from 'react';
import { api } from '../api';
import { Card } from '../components/ui';
import { count } from '../format';
import { errorText } from './common';

interface Status {
  analysable: number;
  stale: number;
  job: { id: string; status: string; attempts: number; last_error: string | null } | null;
}

const URL = '/api/v1/taxonomy/reanalysis';
/** A job still to run or running (a POST may answer with one that is done already). */
const running = (s: Status): s is Status & { job: NonNullable<Status['job']> } =>
  s.job !== null && (s.job.status === 'queued' || s.job.status === 'running');

export function Reanalysis({ configure, version }: { configure: boolean; version: string }) {
  const [st, setSt] = useState<Status | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // Load again after each save or training (a new version) and, while a job runs, every second.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the reload signal
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const s = await api<Status>('GET', URL);
        if (!live) return;
        setSt(s);
        setError('');
        if (running(s)) timer = setTimeout(load, 1000);
      } catch (x) {
        if (live) setError(errorText(x));
      }
    };
    void load();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [version, st?.job?.id]);
  const start = async () => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      setSt(await api<Status>('POST', URL));
    } catch (x) {
      setError(errorText(x));
    } finally {
      setBusy(false);
    }
  };
  let body: ReactNode;
  if (!st) body = <p className="muted">{error || 'Counting the stored texts…'}</p>;
  else if (running(st))
    body = (
      <p role="status" data-testid="reanalysis-running">
        Finding the topics of stored texts again with the saved taxonomy… {count(st.stale)} of {count(st.analysable)}{' '}
        texts left.
        {st.job.last_error && <span className="muted"> Retrying after an error: {st.job.last_error}</span>}
      </p>
    );
  else if (st.stale === 0)
    body = (
      <p data-testid="reanalysis-done">
        {st.analysable === 0
          ? 'No texts are stored yet: every text that arrives is analysed with the saved taxonomy.'
          : `All ${count(st.analysable)} stored texts have the topics the saved taxonomy finds.`}
      </p>
    );
  else
    body = (
      <>
        <p data-testid="reanalysis-stale">
          <strong>{count(st.stale)}</strong> of {count(st.analysable)} stored texts had their topics found with an
          earlier taxonomy or topic model. They keep those topics until you apply the saved taxonomy to them: their
          topics, spans and topic sentiment are then found again (their text sentiment and other figures stay).
        </p>
        {configure ? (
          <button
            type="button"
            className="secondary"
            onClick={start}
            aria-disabled={busy}
            data-testid="reanalysis-start"
          >
            {busy ? 'Starting…' : `Apply the saved taxonomy to ${count(st.stale)} stored texts`}
          </button>
        ) : (
          <p className="note">Applying it needs the owner, admin or analyst role.</p>
        )}
      </>
    );
  return (
    <Card title="Stored texts" testId="reanalysis">
      {body}
      {error && st && (
        <p className="error inline" role="alert">
          {error}
        </p>
      )}
    </Card>
  );
}
