import { type ReactNode, useEffect, useState } from 'react';
import { api, clearApiCache, type Me, may, type TaxonomyDoc, type TaxonomyEntry, useApi } from '../api';
import { Card, ErrorBox, Loading, PageHead } from '../components/ui';
import { count } from '../format';
import { Reanalysis } from '../taxonomy/Reanalysis';
import { TaxonomyEditor } from '../taxonomy/TaxonomyEditor';
import { TextModels } from '../taxonomy/TextModels';
import { TryIt } from '../taxonomy/TryIt';

/**
 * Saves the org's taxonomy over the revision it was edited from: the server's copy back (it
 * lower-cases phrases), or its refusal thrown (412 when someone else saved since).
 */
async function saveTaxonomy(topics: TaxonomyEntry[], revision: number): Promise<TaxonomyDoc> {
  const saved = await api<TaxonomyDoc>('PUT', '/api/v1/taxonomy', { topics }, undefined, {
    'if-match': `"${revision}"`,
  });
  // Other pages (rules, topics) read the taxonomy from the cache: they get the new one.
  clearApiCache('/api/v1/taxonomy');
  return saved;
}

/** The taxonomy as saved now, not from the cache. */
async function loadTaxonomy(): Promise<TaxonomyDoc> {
  clearApiCache('/api/v1/taxonomy');
  return api<TaxonomyDoc>('GET', '/api/v1/taxonomy');
}

/**
 * The org's topic taxonomy (the editor), "Try a text" on the saved one, and the trained text
 * models. The parts are in ../taxonomy/; this page loads and saves the taxonomy and lays them out.
 */
export default function Taxonomy({ me }: { me: Me }) {
  const configure = may(me, 'configure');
  // Trying a text stores nothing: the API asks only for the read permission.
  const canTry = may(me, 'read');
  const tax = useApi<TaxonomyDoc>('/api/v1/taxonomy');
  const [savedDoc, setSavedDoc] = useState<TaxonomyDoc | null>(null);
  const [savedAt, setSavedAt] = useState('');
  const [dirty, setDirty] = useState(false);
  // A trained topic model changes what finds topics too: the stored-texts count is read again.
  const [trained, setTrained] = useState(0);
  const doc = savedDoc ?? tax.data;
  useEffect(() => {
    if (dirty) setSavedAt('');
  }, [dirty]);
  let body: ReactNode;
  if (tax.error && !doc) body = <ErrorBox error={tax.error} />;
  else if (!doc) body = <Loading what="Loading the taxonomy" />;
  else
    body = (
      <>
        <TaxonomyEditor
          doc={doc}
          editable={configure}
          saved={savedAt}
          onDirty={setDirty}
          onSave={(topics) => saveTaxonomy(topics, doc.revision)}
          onLoadLatest={async () => {
            const latest = await loadTaxonomy();
            setSavedDoc(latest);
            return latest;
          }}
          onSaved={(d) => {
            setSavedDoc(d);
            setSavedAt(
              `Taxonomy saved (${count(d.topics.length)} topics). New texts are analysed with it from now on; apply it to stored texts and try one below.`,
            );
          }}
        />
        <Reanalysis configure={configure} version={`${doc.revision}:${trained}`} />
        <div id="try-it">
          {canTry ? (
            <TryIt topics={doc.topics} dirty={dirty} />
          ) : (
            <Card title="Try a text">
              <p className="note">
                Trying a text needs permission to read the organisation's texts, which your access lacks.
              </p>
            </Card>
          )}
        </div>
      </>
    );
  return (
    <>
      <PageHead title="Taxonomy">
        The topics Canopy looks for in what customers write, the phrases that find them, and the text models trained on
        your own examples.
      </PageHead>
      <p className="tax-jump">
        <a href="#try-it">Try a text</a> · <a href="#models">Trained models</a>
      </p>
      {body}
      <div id="models">
        <TextModels configure={configure} onTrained={() => setTrained((n) => n + 1)} />
      </div>
    </>
  );
}
