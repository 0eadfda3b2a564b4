import { type Funnel, type Survey, useApi } from '../api';
import { Card, Empty, ErrorBox, Loading, PageHead } from '../components/ui';
import { count, dateTime } from '../format';
import { Link } from '../router';

function Rate({ s }: { s: Survey }) {
  const f = useApi<Funnel>(`/api/v1/surveys/${encodeURIComponent(s.key)}/funnel`);
  if (!f.data) return <span className="muted">…</span>;
  const t = f.data.total;
  return (
    <span data-testid="survey-rate">
      {t.response_rate === null ? '—' : `${t.response_rate.toFixed(1)}%`}{' '}
      <span className="muted small">
        {count(t.completed)} of {count(t.sent)} sent
      </span>
    </span>
  );
}

export default function Surveys() {
  const list = useApi<{ items: Survey[] }>('/api/v1/surveys');
  return (
    <>
      <PageHead title="Surveys">
        What you ask customers, by email, on the hosted page and in the web widget. Each save is a new version;
        invitations already sent keep theirs.
      </PageHead>
      <Card
        title="Surveys"
        actions={
          <Link to="/surveys/new" keepFilters={false} className="button" data-testid="new-survey">
            New survey
          </Link>
        }
        testId="surveys"
      >
        {list.error ? (
          <ErrorBox error={list.error} />
        ) : !list.data ? (
          <Loading what="Loading surveys" />
        ) : list.data.items.length === 0 ? (
          <Empty title="No surveys yet">
            Create one with “New survey”: an NPS question with a follow-up is a good start.
          </Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="surveys-table">
              <thead>
                <tr>
                  <th>Survey</th>
                  <th>Status</th>
                  <th className="num hide-phone">Questions</th>
                  <th>Response rate</th>
                  <th className="hide-phone">Updated</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((s) => (
                  <tr key={s.id} data-survey={s.key}>
                    <td>
                      <Link to={`/surveys/${encodeURIComponent(s.key)}`} keepFilters={false}>
                        {s.name}
                      </Link>
                      <div className="muted small">
                        {s.key} · v{s.version}
                      </div>
                    </td>
                    <td>
                      <span className={`status status-survey-${s.status}`}>{s.status}</span>
                    </td>
                    <td className="num hide-phone">{s.definition.questions?.length ?? 0}</td>
                    <td>
                      <Rate s={s} />
                    </td>
                    <td className="hide-phone nowrap">{dateTime(s.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
