import { type FormEvent, useState } from 'react';
import { ApiError, api, clearApiCache, fieldErrors, type Page, useApi } from '../api';
import { Card, Chip, Empty, ErrorBox, focusFirstError, Loading, PageHead } from '../components/ui';
import { fieldsBanner, humanise } from '../display';
import { setParams, useParam } from '../filters';
import { dateTime } from '../format';
import { Field } from '../loop/common';
import { Link } from '../router';

export interface Webhook {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  created_at: string;
  secret: string;
}
interface Delivery {
  id: string;
  message_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

/** The server's events (packages/server/src/loop/schema.ts), each with what it means. */
const EVENTS: [string, string][] = [
  ['alert.fired', 'A rule with a “Call a webhook” action fired'],
  ['case.opened', 'A case was opened'],
  ['case.updated', 'A case changed status, owner or root cause'],
  ['case.recovered', 'A closed case’s customer came back better (or not)'],
];

const DELIVERY_TONE: Record<Delivery['status'], string> = {
  delivered: 'positive',
  failed: 'negative',
  pending: 'warn',
};

function NewWebhook({ onCreated }: { onCreated: (w: Webhook) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(['alert.fired']);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    setBusy(true);
    setErrs({});
    setError('');
    try {
      const w = await api<Webhook>('POST', '/api/v1/webhooks', {
        url: url.trim(),
        events,
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setUrl('');
      setDescription('');
      setEvents(['alert.fired']);
      onCreated(w);
    } catch (x) {
      const f = fieldErrors(x);
      setErrs(f);
      setError(
        fieldsBanner(f, { url: 'URL to call', description: 'Description', events: 'Events' }) ??
          (x instanceof ApiError ? x.detail || x.title : (x as Error).message),
      );
      focusFirstError(formEl);
    } finally {
      setBusy(false);
    }
  };
  const eventsError = Object.entries(errs).find(([f]) => f.startsWith('events'))?.[1];
  return (
    <form onSubmit={submit} noValidate className="form-grid wide-form" data-testid="webhook-form">
      <Field label="URL to call (https://…)" error={errs.url} wide>
        <input
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://hooks.example.com/canopy"
          aria-invalid={errs.url ? true : undefined}
          data-testid="webhook-url"
        />
      </Field>
      <Field label="Description (optional)" error={errs.description} wide>
        <input
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="e.g. Slack #cx-alerts"
          data-testid="webhook-description"
        />
      </Field>
      <fieldset className="wide events-pick" aria-invalid={eventsError ? true : undefined}>
        <legend className="events-legend">Send these events</legend>
        {EVENTS.map(([k, what]) => (
          <label key={k} className="check block">
            <input
              type="checkbox"
              checked={events.includes(k)}
              onChange={(e) => setEvents((v) => (e.target.checked ? [...v, k] : v.filter((x) => x !== k)))}
              data-testid={`webhook-event-${k}`}
            />{' '}
            <code>{k}</code> <span className="muted">— {what}</span>
          </label>
        ))}
        {eventsError && (
          <small className="field-error" role="alert">
            {events.length === 0 ? 'pick at least one event' : eventsError}
          </small>
        )}
      </fieldset>
      <div className="form-foot">
        <button type="submit" className="primary" disabled={busy} data-testid="webhook-submit">
          {busy ? 'Adding…' : 'Add webhook'}
        </button>
        {error && (
          <span className="error inline" role="alert" data-testid="webhook-error">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}

function Deliveries({ hook }: { hook: Webhook }) {
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState('');
  const [note, setNote] = useState('');
  const list = useApi<Page<Delivery>>(
    `/api/v1/webhooks/${hook.id}/deliveries`,
    { limit: 50, status: status || undefined },
    version,
  );
  const reload = () => {
    clearApiCache(`/api/v1/webhooks/${hook.id}/deliveries`);
    setVersion((v) => v + 1);
  };
  const replay = async (d: Delivery) => {
    setNote('');
    try {
      await api('POST', `/api/v1/webhooks/${hook.id}/deliveries/${d.id}/replay`);
      setNote(`Message ${d.message_id} queued again (same webhook-id, so the receiver can tell it is a repeat).`);
      reload();
    } catch (e) {
      setNote((e as Error).message);
    }
  };
  return (
    <Card
      title={<>Delivery log · {hook.description || hook.url}</>}
      testId="deliveries"
      actions={
        <>
          <label className="inline-label">
            <span>Status</span>
            <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="delivery-status">
              <option value="">Any</option>
              <option value="pending">Pending</option>
              <option value="delivered">Delivered</option>
              <option value="failed">Failed</option>
            </select>
          </label>
          <button type="button" className="secondary" onClick={reload}>
            Refresh
          </button>
        </>
      }
    >
      {note && (
        <p className="note" role="status">
          {note}
        </p>
      )}
      {list.error ? (
        <ErrorBox error={list.error} />
      ) : !list.data ? (
        <Loading what="Loading deliveries" />
      ) : list.data.items.length === 0 ? (
        <Empty title={status ? `No ${status} deliveries` : 'Nothing sent to this webhook yet'}>
          Messages appear here when a subscribed event happens: for <code>alert.fired</code>, a rule needs a “Call a
          webhook” action (see <Link to="/rules">Rules</Link>).
        </Empty>
      ) : (
        <div className="table-wrap">
          <table data-testid="deliveries-table">
            <thead>
              <tr>
                <th>Event</th>
                <th>Status</th>
                <th className="num">Attempts</th>
                <th>Last answer</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((d) => (
                <tr key={d.id} data-testid="delivery">
                  <td>
                    <code>{d.event_type}</code>
                  </td>
                  <td>
                    <Chip tone={DELIVERY_TONE[d.status]}>{humanise(d.status)}</Chip>
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td>
                    {d.last_status_code !== null ? `HTTP ${d.last_status_code}` : ''}
                    {d.last_error ? <span className="muted"> {d.last_error}</span> : ''}
                    {d.last_status_code === null && !d.last_error ? <span className="muted">—</span> : ''}
                  </td>
                  <td className="nowrap">{dateTime(d.created_at)}</td>
                  <td>
                    {d.status !== 'pending' && (
                      <button type="button" className="secondary" onClick={() => replay(d)}>
                        Send again
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export default function Webhooks() {
  const [version, setVersion] = useState(0);
  const hooks = useApi<{ items: Webhook[] }>('/api/v1/webhooks', undefined, version);
  const selected = useParam('webhook');
  const [created, setCreated] = useState<Webhook | null>(null);
  const [error, setError] = useState('');
  const reload = () => {
    clearApiCache('/api/v1/webhooks');
    setVersion((v) => v + 1);
  };
  const toggle = async (w: Webhook) => {
    setError('');
    try {
      await api('PATCH', `/api/v1/webhooks/${w.id}`, { enabled: !w.enabled });
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async (w: Webhook) => {
    if (!confirm(`Delete the webhook to ${w.url}? Its delivery log goes with it.`)) return;
    setError('');
    try {
      await api('DELETE', `/api/v1/webhooks/${w.id}`);
      if (selected === w.id) setParams({ webhook: '' });
      if (created?.id === w.id) setCreated(null);
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const hook = hooks.data?.items.find((w) => w.id === selected);
  return (
    <>
      <PageHead title="Webhooks">
        Canopy calls these URLs when a rule fires or a case changes. Each message is signed the Standard Webhooks way
        (headers <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>, HMAC-SHA256
        with the webhook’s secret), so the receiver can check it came from here; failed calls are retried.
      </PageHead>
      {created && (
        <div className="callout" role="status" data-testid="webhook-secret">
          <strong>Webhook added. Copy its signing secret now: it is shown only once.</strong>
          <code className="secret">{created.secret}</code>
          <button type="button" className="link" onClick={() => setCreated(null)}>
            Done, hide it
          </button>
        </div>
      )}
      <Card title="Webhooks" testId="webhooks">
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {hooks.error ? (
          <ErrorBox error={hooks.error} />
        ) : !hooks.data ? (
          <Loading what="Loading webhooks" />
        ) : hooks.data.items.length === 0 ? (
          <Empty title="No webhooks yet">
            Add one below with the URL of your receiver (Slack workflow, Zapier, your own service). Then give a rule a
            “Call a webhook” action on the <Link to="/rules">Rules</Link> page.
          </Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="webhooks-table">
              <thead>
                <tr>
                  <th>URL</th>
                  <th className="hide-phone">Events</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {hooks.data.items.map((w) => (
                  <tr key={w.id} data-webhook={w.id} className={w.enabled ? undefined : 'disabled'}>
                    <td className="break">
                      {w.description && <strong className="block">{w.description}</strong>}
                      <code>{w.url}</code>
                    </td>
                    <td className="hide-phone">
                      {w.events.map((e) => (
                        <Chip key={e}>{e}</Chip>
                      ))}
                    </td>
                    <td data-testid="webhook-state">{w.enabled ? 'Enabled' : 'Disabled'}</td>
                    <td>
                      <div className="row-actions">
                        <button
                          type="button"
                          className="secondary"
                          aria-pressed={selected === w.id}
                          onClick={() => setParams({ webhook: selected === w.id ? '' : w.id })}
                          data-testid="webhook-log"
                        >
                          Delivery log
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => toggle(w)}
                          data-testid="webhook-toggle"
                        >
                          {w.enabled ? 'Disable' : 'Enable'}
                        </button>
                        <button type="button" className="link" onClick={() => remove(w)} data-testid="webhook-delete">
                          Delete
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {hook && <Deliveries hook={hook} />}
      <Card title="Add a webhook" testId="new-webhook">
        <NewWebhook
          onCreated={(w) => {
            setCreated(w);
            reload();
            window.scrollTo(0, 0);
          }}
        />
      </Card>
    </>
  );
}
