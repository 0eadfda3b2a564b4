// One analysed text, as "Try a text" shows it: the text with its topics marked, the overall
// sentiment and flags, and a row per topic with what found it.
import type { TextAnalysisResult } from '../api';
import { Highlighted } from '../components/Text';
import { Chip, SentimentChip } from '../components/ui';
import { pct, titleCase } from '../format';

export function Analysed({ text, a, label }: { text: string; a: TextAnalysisResult; label: (k: string) => string }) {
  // A classifier's mention covers the whole text (it has no words of its own): its row says so.
  const spans = a.topics.map((t) => (t.detectedBy ? { ...t, detected_by: t.detectedBy } : t));
  const churn = a.churnThreat ?? a.churn_threat ?? false;
  const pii = [...new Set((a.pii ?? []).map((p) => p.kind))];
  const intent = a.intents?.[0];
  return (
    <div className="tax-result" data-testid="try-result" aria-live="polite">
      <blockquote className="quote">
        <Highlighted text={text} spans={spans} />
      </blockquote>
      <p className="tax-flags">
        <span className="muted">Overall:</span> <SentimentChip s={a.sentiment} />
        {a.sentimentSource === 'model' && <span className="muted small">(your sentiment model) </span>}
        {churn && <Chip tone="warn">churn threat</Chip>}
        {a.urgent && <Chip tone="warn">urgent</Chip>}
        {a.effort > 0 && (
          <Chip title="How hard the customer had to try, 0–100%">effort {Math.round(a.effort * 100)}%</Chip>
        )}
        {a.emotions.map((e) => (
          <Chip key={e}>{titleCase(e)}</Chip>
        ))}
        {pii.length > 0 && <Chip tone="warn">contains {pii.join(', ')}</Chip>}
        {intent && (
          <Chip title="From your trained intents model">
            intent: {intent.label.replace(/_/g, ' ')} ({pct(intent.score)})
          </Chip>
        )}
      </p>
      {a.analysable === false && (
        <p className="note">This text does not look like English: its sentiment and topics are left empty.</p>
      )}
      {spans.length === 0 ? (
        <p className="muted" data-testid="try-no-topics">
          No topic found. Add a phrase from this text to a topic, save, and try again.
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="try-topics">
            <thead>
              <tr>
                <th>Topic</th>
                <th>Found by</th>
                <th>Sentiment</th>
              </tr>
            </thead>
            <tbody>
              {spans.map((t) => (
                <tr key={`${t.topic}-${t.start}`} data-topic={t.topic}>
                  <td>
                    {label(t.topic)} <code className="tax-key">{t.topic}</code>
                  </td>
                  <td className="break">
                    {t.detected_by ? (
                      <span className="muted">your topics model</span>
                    ) : (
                      `“${text.slice(t.start, t.end)}”`
                    )}
                  </td>
                  <td>
                    <SentimentChip s={t.sentiment} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {a.labels && a.labels.length > 0 && (
        <p className="note">
          Your topics model's labels: {a.labels.map((l) => `${l.label} (${pct(l.score)})`).join(', ')}
        </p>
      )}
    </div>
  );
}
