import { useEffect, useState } from 'react';
import { api, type Customer, type Page, useApi, withQuery } from '../api';
import { Card, Empty, ErrorBox, Loading, PageHead } from '../components/ui';
import { humanise } from '../display';
import { setParams, useParam } from '../filters';
import { day } from '../format';
import { Link, navigate } from '../router';

export default function Customers() {
  const q = useParam('q');
  const segment = useParam('segment');
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  // Search as you type, a moment after the last key.
  useEffect(() => {
    if (text === q) return;
    const t = setTimeout(() => setParams({ q: text.trim() }), 300);
    return () => clearTimeout(t);
  }, [text, q]);
  // A handful of segments is a pick list; the filter ignores case, so "Consumer" finds "consumer".
  const segs = useApi<{ items: { segment: string; customers: number }[]; complete: boolean }>(
    '/api/v1/customers/segments',
  );
  const known = segs.data?.complete ? segs.data.items.map((x) => x.segment) : null;
  const first = useApi<Page<Customer>>('/api/v1/customers', {
    q: q || undefined,
    segment: segment || undefined,
    limit: 50,
  });
  const [extra, setExtra] = useState<{ items: Customer[]; cursor: string | null }>({ items: [], cursor: null });
  useEffect(() => setExtra({ items: [], cursor: first.data?.next_cursor ?? null }), [first.data]);
  const rows = [...(first.data?.items ?? []), ...extra.items];

  const more = async () => {
    if (!extra.cursor) return;
    const p = await api<Page<Customer>>(
      'GET',
      withQuery('/api/v1/customers', {
        q: q || undefined,
        segment: segment || undefined,
        limit: 50,
        cursor: extra.cursor,
      }),
    );
    setExtra((e) => ({ items: [...e.items, ...p.items], cursor: p.next_cursor }));
  };

  return (
    <>
      <PageHead title="Customers">
        Find a customer by name, email, phone or external id, and open their whole history.
      </PageHead>
      <Card>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ q: text.trim() });
          }}
        >
          <label style={{ flex: '1 1 260px' }}>
            <span>Search</span>
            <input
              type="search"
              value={text}
              placeholder="Name, email, phone or id"
              onChange={(e) => setText(e.target.value)}
              data-testid="customer-search"
            />
          </label>
          {/* biome-ignore lint/a11y/noLabelWithoutControl: a select or an input, either inside */}
          <label>
            <span>Segment</span>
            {known ? (
              <select
                value={segment.toLowerCase()}
                onChange={(e) => setParams({ segment: e.target.value })}
                data-testid="customer-segment"
              >
                <option value="">Any</option>
                {segment && !known.includes(segment.toLowerCase()) && (
                  <option value={segment.toLowerCase()}>{humanise(segment)}</option>
                )}
                {(segs.data?.items ?? []).map((x) => (
                  <option key={x.segment} value={x.segment}>
                    {humanise(x.segment)} ({x.customers})
                  </option>
                ))}
              </select>
            ) : (
              <input
                value={segment}
                placeholder="any"
                onChange={(e) => setParams({ segment: e.target.value.trim() })}
                style={{ width: 130 }}
                data-testid="customer-segment"
              />
            )}
          </label>
        </form>
        {first.error ? (
          <ErrorBox error={first.error} />
        ) : first.loading && !first.data ? (
          <Loading what="Finding customers" />
        ) : rows.length === 0 ? (
          <Empty title={q || segment ? 'No customer matches' : 'No customers yet'}>
            {q || segment
              ? 'Check the spelling, or search by part of an email address.'
              : 'Customers appear when data is sent through the API or imported.'}
          </Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="customers-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Email</th>
                  <th>Segment</th>
                  <th className="hide-phone">Customer since</th>
                  <th className="hide-phone">Source</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id} className="clickable" onClick={() => navigate(`/customers/${c.id}`)}>
                    <td>
                      <Link to={`/customers/${c.id}`} keepFilters={false} onClick={(e) => e.stopPropagation()}>
                        {c.name ?? c.identities[0]?.value ?? c.id.slice(0, 8)}
                      </Link>
                    </td>
                    <td>{c.identities.find((i) => i.kind === 'email')?.value ?? '—'}</td>
                    <td>{c.segment ? humanise(c.segment) : '—'}</td>
                    <td className="hide-phone">{c.acquired_at ? day(c.acquired_at) : day(c.created_at)}</td>
                    <td className="hide-phone">{c.acquisition_source ? humanise(c.acquisition_source) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {extra.cursor && (
          <p>
            <button type="button" className="secondary" onClick={more}>
              Load more
            </button>
          </p>
        )}
      </Card>
    </>
  );
}
