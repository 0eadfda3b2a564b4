import {
  type Agents as A,
  type AgentCard,
  type Breakdown,
  type CaseView,
  type Department,
  type Page,
  type Topics,
  useApi,
} from '../api';
import {
  Card,
  Change,
  Empty,
  ErrorBox,
  Help,
  Loading,
  N,
  NoDataHint,
  PageHead,
  Sparkline,
  Toggle,
} from '../components/ui';
import { activeFilterCount, granularityFor, setFilters, setParams, toParams, useFilters, useParam } from '../filters';
import { count, fmt } from '../format';
import { Due, StatusChip, useNames } from '../loop/common';
import { Link } from '../router';

function Cells({ a }: { a: AgentCard }) {
  return (
    <>
      <td className="num" data-testid="agent-csat" data-value={a.csat.value ?? ''}>
        {fmt(a.csat.value, a.csat.unit)}
        <div>
          <N f={a.csat} />
        </div>
      </td>
      <td className="num">
        {a.csat.change !== undefined && a.csat.previous ? (
          <Change
            c={{
              ...a.csat,
              previous: a.csat.previous,
              change: a.csat.change ?? null,
              p_value: a.csat.p_value ?? null,
              significant: !!a.csat.significant,
              test: a.csat.test ?? null,
            }}
            unit={a.csat.unit}
            metric="csat"
          />
        ) : (
          '—'
        )}
      </td>
      <td className="num hide-phone">{fmt(a.nps.value, 'nps')}</td>
      <td className="num hide-phone">{fmt(a.ces.value, 'mean')}</td>
      <td className="num">{count(a.interactions)}</td>
      <td className="num hide-phone">{fmt(a.resolution_rate.value, 'percent')}</td>
      <td className="num hide-phone">{fmt(a.first_response_p50.value, 'seconds')}</td>
      <td className="num hide-phone" data-testid="agent-loyalty" data-value={a.loyalty_change.value ?? ''}>
        {fmt(a.loyalty_change.value, 'nps')}
        {(a.loyalty_change.n > 0 || !!a.loyalty_change.previous_n) && (
          <div>
            <N f={a.loyalty_change} vs={a.loyalty_change.previous_n} />
          </div>
        )}
      </td>
    </>
  );
}

const HEAD = (
  <>
    <th className="num">
      CSAT
      <Help term="csat" label="CSAT" align="right" />
    </th>
    <th className="num">vs previous</th>
    <th className="num hide-phone">
      NPS
      <Help term="nps" label="NPS" align="right" />
    </th>
    <th className="num hide-phone">
      CES
      <Help term="ces" label="CES" align="right" />
    </th>
    <th className="num">Interactions</th>
    <th className="num hide-phone">Resolved</th>
    <th className="num hide-phone">First response</th>
    <th className="num hide-phone">
      Loyalty change
      <Help
        align="right"
        label="loyalty change"
        text="NPS of the customers this agent served in this period minus the NPS of those served in the previous one: are their customers more loyal than before? n: customers with an NPS answer this period vs the previous one (marked when either is small)."
      />
    </th>
  </>
);

function DepartmentView({ dept }: { dept: string }) {
  const f = useFilters();
  const p = toParams({ ...f, department: dept });
  const names = useNames();
  const tp = useApi<Breakdown>('/api/v1/metrics/breakdown', { ...p, metric: 'csat', group_by: 'touchpoint' });
  const topics = useApi<Topics>('/api/v1/metrics/topics', toParams({ ...f, department: '' }));
  const cases = useApi<Page<CaseView>>('/api/v1/cases', {
    department: dept,
    status: 'new,in_progress,waiting',
    limit: 10,
  });
  const owned = (topics.data?.topics ?? [])
    .flatMap((t) => [t, ...t.children])
    .filter((t) => t.department === dept && t.mentions > 0)
    .sort((a, b) => b.mentions * b.negative_share - a.mentions * a.negative_share)
    .slice(0, 8);
  return (
    <div className="grid cols-2">
      <Card title={`${names.department(dept)}: CSAT by touchpoint`} testId="dept-touchpoints">
        {tp.error ? (
          <ErrorBox error={tp.error} />
        ) : !tp.data ? (
          <Loading />
        ) : tp.data.groups.length === 0 ? (
          <Empty title="No CSAT answers for this department's touchpoints in this period" />
        ) : (
          <table>
            <thead>
              <tr>
                <th>Touchpoint</th>
                <th className="num">CSAT</th>
                <th className="num">vs rest</th>
              </tr>
            </thead>
            <tbody>
              {tp.data.groups.map((g) => (
                <tr key={g.key}>
                  <td>
                    <Link to={`/trends?metric=csat&touchpoint=${g.key}`}>{g.label}</Link>
                    <div>
                      <N f={g} />
                    </div>
                  </td>
                  <td className="num">{fmt(g.value, g.unit)}</td>
                  <td className="num">
                    <Change c={g.vs_rest} unit={g.unit} metric="csat" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Root causes landing on this department" testId="dept-topics">
        {topics.error ? (
          <ErrorBox error={topics.error} />
        ) : !topics.data ? (
          <Loading />
        ) : owned.length === 0 ? (
          <Empty title="No topic owned by this department was mentioned in this period" />
        ) : (
          <ul>
            {owned.map((t) => (
              <li key={t.key}>
                <Link to={`/topics?topic=${t.key}`}>{t.label}</Link>: {count(t.mentions)} mentions,{' '}
                {(t.negative_share * 100).toFixed(0)}% negative {t.spike && <strong>· spike</strong>}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card
        title="Open cases"
        className="span-2"
        testId="dept-cases"
        actions={
          <Link to={`/cases?department=${dept}`} keepFilters={false}>
            All of them →
          </Link>
        }
      >
        {cases.error ? (
          <ErrorBox error={cases.error} />
        ) : !cases.data ? (
          <Loading what="Loading cases" />
        ) : cases.data.items.length === 0 ? (
          <Empty title="No open case for this department">
            Cases are opened by rules (see <Link to="/rules">Rules</Link>) and land on the department that owns the
            touchpoint or root cause.
          </Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Case</th>
                  <th>Status</th>
                  <th className="hide-phone">Assignee</th>
                  <th>Due</th>
                </tr>
              </thead>
              <tbody>
                {cases.data.items.map((c) => (
                  <tr key={c.id} data-testid="dept-case">
                    <td>
                      <Link to={`/cases/${c.id}`} keepFilters={false}>
                        {c.title}
                      </Link>
                    </td>
                    <td>
                      <StatusChip s={c.status} />
                    </td>
                    <td className="hide-phone">{c.assignee ?? '—'}</td>
                    <td>
                      <Due c={c} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

export default function Agents() {
  const f = useFilters();
  const view = useParam('view', 'agents');
  const sort = useParam('sort', 'n');
  const r = useApi<A>(view === 'departments' ? null : '/api/v1/metrics/agents', {
    ...toParams(f),
    sort,
    granularity: granularityFor(f),
  });
  const deps = useApi<{ items: Department[] }>('/api/v1/departments');
  const names = useNames();

  return (
    <>
      <PageHead title="Agents & departments">
        Scorecards: ratings are credited to the agent who handled the case when the survey was sent.
      </PageHead>
      <div className="toolbar">
        <Toggle
          label="View"
          options={[
            ['agents', 'Agents & teams'],
            ['departments', 'Department owner view'],
          ]}
          value={view}
          onChange={(v) => setParams({ view: v === 'agents' ? '' : v })}
        />
      </div>
      {view === 'departments' ? (
        <>
          <div className="toolbar">
            <Toggle
              label="Department"
              options={(deps.data?.items ?? []).map((d) => [d.key, d.name])}
              value={f.department}
              onChange={(v) => setFilters({ department: v, touchpoint: '' })}
            />
          </div>
          {f.department ? (
            <DepartmentView dept={f.department} />
          ) : (
            <Empty title="Choose a department">Pick one above, or in the filter bar.</Empty>
          )}
        </>
      ) : r.error ? (
        <ErrorBox error={r.error} />
      ) : !r.data ? (
        <Loading what="Scoring agents" />
      ) : r.data.agents.length === 0 ? (
        <Empty title="No agent handled an interaction in this period">
          <NoDataHint filtered={activeFilterCount(f) > 0} />
        </Empty>
      ) : (
        <>
          <Card
            title="Agents"
            testId="agents"
            actions={
              <Toggle
                label="Sort"
                options={[
                  ['n', 'Most rated'],
                  ['-csat', 'Best CSAT'],
                  ['csat', 'Lowest CSAT'],
                ]}
                value={sort}
                onChange={(v) => setParams({ sort: v === 'n' ? '' : v })}
              />
            }
          >
            <div className="table-wrap">
              <table data-testid="agents-table">
                <thead>
                  <tr>
                    <th>Agent</th>
                    <th className="hide-phone">Team</th>
                    {HEAD}
                    <th className="hide-phone">CSAT trend</th>
                  </tr>
                </thead>
                <tbody>
                  {r.data.agents.map((a) => (
                    <tr key={a.key} data-agent={a.key}>
                      <td>
                        <Link to={`/feedback?source=interactions&agent=${encodeURIComponent(a.key)}`}>
                          {a.name || names.agent(a.key)}
                        </Link>
                      </td>
                      <td className="hide-phone">{a.team ? names.team(a.team) : '—'}</td>
                      <Cells a={a} />
                      <td className="hide-phone">{a.trend && <Sparkline points={a.trend} width={90} height={26} />}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="note">
              Loyalty change: NPS of the agent's customers this period minus the previous one; n = customers with an NPS
              answer this period vs the previous one.
            </p>
          </Card>
          {r.data.teams.length > 0 && (
            <Card title="Teams" testId="teams">
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Team</th>
                      <th className="hide-phone" />
                      {HEAD}
                    </tr>
                  </thead>
                  <tbody>
                    {r.data.teams.map((t) => (
                      <tr key={t.team ?? 'none'}>
                        <td>{t.team ? names.team(t.team) : 'No team'}</td>
                        <td className="hide-phone" />
                        <Cells a={t} />
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
          )}
        </>
      )}
    </>
  );
}
