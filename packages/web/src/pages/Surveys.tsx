import { type Funnel, type Survey, useApi } from '../api';
import { Card, Empty, ErrorBox, Loading, PageHead } from '../components/ui';
import { humanise } from '../display';
import { count, dateTime, day } from '../format';
import { Link } from '../router';

function Rate({ s }: { s: Survey }) {
  const f = useApi<Funnel>(`/api/v1/surveys/${encodeURIComponent(s.key)}/funnel`);
  if (!f.data) return <span className="muted">…</span>;
  const t = f.data.total;
  // Answers by link or widget have no invitation: a rate of nothing sent is no rate.
  if (t.sent === 0)
    return (
      <span data-testid="survey-rate" className="muted small">
        — no invitations sent
      </span>
    );
  return (
    <span data-testid="survey-rate">
      {t.response_rate === null ? '—' : `${t.response_rate.toFixed(1)}%`}{' '}
      <span className="muted small">
        {count(t.completed)} of {count(t.sent)} sent
      </span>
    </span>
  );
}

type Listed = Survey & { responses?: number; last_response_at?: string | null };
interface Undefined {
  key: string;
  responses: number;
  first_response_at: string;
  last_response_at: string;
}

/** Surveys the org's responses name but nobody defined here (imported, or sent by another tool). */
function AnswersOnly({ items }: { items: Undefined[] }) {
  return (
    <Card title="Known only from answers" testId="surveys-undefined">
      <p className="muted small">
        Responses name these surveys, but they have no definition here: define one to see its questions, send it and
        follow its response rate. The answers stay as they are.
      </p>
      <div className="table-wrap">
        <table data-testid="surveys-undefined-table">
          <thead>
            <tr>
              <th>Survey key</th>
              <th className="num">Answers</th>
              <th className="hide-phone">Answered</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.key} data-survey={u.key}>
                <td>
                  <code>{u.key}</code>
                </td>
                <td className="num" data-testid="survey-answers">
                  {count(u.responses)}
                </td>
                <td className="hide-phone nowrap">
                  {day(u.first_response_at)} – {day(u.last_response_at)}
                </td>
                <td>
                  <Link
                    to={`/surveys/new?key=${encodeURIComponent(u.key)}`}
                    keepFilters={false}
                    className="button"
                    data-testid="define-survey"
                  >
                    Define
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

export default function Surveys() {
  const list = useApi<{ items: Listed[]; undefined?: Undefined[] }>('/api/v1/surveys');
  const others = list.data?.undefined ?? [];
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
          <Empty title={others.length ? 'No survey defined here yet' : 'No surveys yet'}>
            {others.length
              ? `Your responses come from ${others.length === 1 ? 'a survey' : `${others.length} surveys`} without a definition (below): define them, or create one with “New survey”.`
              : 'Create one with “New survey”: an NPS question with a follow-up is a good start.'}
          </Empty>
        ) : (
          <div className="table-wrap">
            <table data-testid="surveys-table">
              <thead>
                <tr>
                  <th>Survey</th>
                  <th>Status</th>
                  <th className="num hide-phone">Questions</th>
                  <th className="num">Answers</th>
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
                      <span className={`status status-survey-${s.status}`}>{humanise(s.status)}</span>
                    </td>
                    <td className="num hide-phone">{s.definition.questions?.length ?? 0}</td>
                    <td className="num" data-testid="survey-answers">
                      {s.responses ? count(s.responses) : <span className="muted">0</span>}
                      {s.last_response_at && <div className="muted small">last {day(s.last_response_at)}</div>}
                    </td>
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
      {others.length > 0 && <AnswersOnly items={others} />}
    </>
  );
}
