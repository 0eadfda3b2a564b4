/**
 * What each measure means, in a sentence a new user can read in a tooltip. The definitions
 * follow the metrics in packages/core (DESIGN.md "Metric definitions").
 */
export const GLOSSARY: Record<string, string> = {
  nps: 'Net Promoter Score: of everyone who answered “How likely are you to recommend us?” (0–10), the % giving 9–10 (promoters) minus the % giving 0–6 (detractors). Runs from −100 to +100.',
  csat: 'Customer satisfaction: the share of 1–5 satisfaction answers that are 4 or 5 (top-2-box).',
  ces: 'Customer Effort Score: the mean answer to “It was easy to …” on 1–7; higher means easier.',
  sentiment:
    'Sentiment index: how positive customers’ own words are, from every text they wrote (−100 all negative … +100 all positive).',
  expectation_gap:
    'How the experience compared with what customers expected: perception minus expectation on the same scale. Below 0 means it fell short.',
  resolution_rate: 'Share of service interactions (tickets, calls, chats, emails) that were resolved.',
  first_response_p50: 'Median time from a customer’s contact to the first reply from us. Lower is better.',
  resolution_p50: 'Median time from a customer’s contact to its resolution. Lower is better.',
  interactions: 'How many interactions with customers happened in the period, at every touchpoint.',
  engagement_score:
    'Engagement score per customer (0–100): recent opens, clicks, visits, app use, purchases and referrals, weighted and decayed by age; shown as the mean.',
  retention:
    'Retention: of the customers at the start of the period, the share still customers at its end (new customers not counted).',
  churn: 'Churn: 1 − retention — the share of customers at the start of the period who left during it.',
  repeat_purchase: 'Repeat purchase: the share of customers who bought more than once in the period.',
  referral_rate: 'Referral rate: the share of customers who referred someone in the period.',
  revenue_per_customer:
    'Revenue per customer: purchases and renewals in the period, divided by the customers who had any.',
  ltv: 'Lifetime value: mean revenue per customer per period divided by churn per period (the simple “revenue ÷ churn” model).',
  margin:
    '± is the 95% margin of error: with another sample of the same size, the value would be within this distance 95 times out of 100.',
  significant:
    'Statistically significant: a change this large would happen by chance less than 5% of the time (p < 0.05). “Not significant” changes may just be noise.',
  n: 'n is how many answers, customers or records the figure is based on. Small samples (⚠︎) swing a lot: read them with care.',
};
