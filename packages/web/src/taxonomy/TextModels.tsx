// The org's trained text models: the list (newest of each kind active) and, for configure roles,
// the form that trains another.
import { useState } from 'react';
import { clearApiCache, type TextModel, useApi } from '../api';
import { Card, Chip, Empty, ErrorBox, Loading } from '../components/ui';
import { count, dateTime, titleCase } from '../format';
import { quality } from './model-quality';
import { TrainForm } from './TrainForm';

export function TextModels({ configure, onTrained }: { configure: boolean; onTrained?: () => void }) {
  const [version, setVersion] = useState(0);
  const models = useApi<{ items: TextModel[] }>('/api/v1/text-models', undefined, version);
  const reload = () => {
    clearApiCache('/api/v1/text-models');
    setVersion((v) => v + 1);
    onTrained?.();
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
