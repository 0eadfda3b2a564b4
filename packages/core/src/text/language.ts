/**
 * Language identification, tuned for one decision: is this English (analysable) or not?
 * Non-Latin scripts are decided by script; Latin-script text by counting very frequent function
 * words of English and eleven other European languages. Short or ambiguous text returns 'und'
 * (undetermined), which the analyser treats as analysable rather than silently dropping it.
 */

const STOPWORDS: Record<string, string> = {
  en: 'the and is was are were it this that with for you not have has had but they very my of to in on at be been i me we our your would could will just so what when there their from an or if do did does no all about get got one can too',
  es: 'el la los las que de y en es por para con una un no muy pero mi su lo al del se como más fue está son era este esta tiene hay todo bien gracias pedido estoy también porque ya cuando donde',
  fr: 'le la les de des et est un une que qui pas pour dans avec ce cette sur je il elle nous vous mais très mon ma mes son sa au aux du été était sont ont avoir merci commande aussi donc car tout bien',
  de: 'der die das und ist nicht ein eine ich sie es mit für auf dem den des zu von sehr war sind wir ihr aber auch noch nur wie bei mein meine kein keine wurde haben hat danke bestellung bitte schon',
  it: 'il lo la gli le di e è un una che non per con del della sono molto ma mi si ho ha come anche questo questa nel alla al dei più tutto grazie ordine stato era perché',
  pt: 'o a os as de e é um uma que não para com do da dos das em no na muito mas meu minha se foi está são eu você ele ela isso este esta obrigado pedido também porque já',
  nl: 'de het een en is van niet dat die ik je met voor op zijn was maar ook heel mijn we er te om aan bij dan nog wel geen wordt bedankt bestelling al naar',
  sv: 'och att det är en som på för med inte jag har av till den var om mycket men vi ni de kan så tack beställning',
  da: 'og at det er en som på for med ikke jeg har af til den var om meget men vi de kan så tak bestilling',
  pl: 'i w na nie jest to że się z do jak ale tak co za po od jestem bardzo mam był była dziękuję zamówienie',
  tr: 've bir bu da de ile için çok ama ne var yok ben sen biz gibi daha olarak değil sipariş teşekkürler',
  id: 'yang dan di ini itu dengan untuk tidak ada saya dari ke akan juga sudah sangat bisa terima kasih pesanan',
};

const WORD_LANG: Map<string, string[]> = new Map();
for (const [lang, words] of Object.entries(STOPWORDS)) {
  for (const w of words.split(' ')) {
    const l = WORD_LANG.get(w) ?? [];
    l.push(lang);
    WORD_LANG.set(w, l);
  }
}

const WORD_RE = /[\p{L}']+/gu;

function scriptOf(text: string): string | null {
  let latin = 0;
  const counts: Record<string, number> = {};
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
      continue;
    }
    let s: string | null = null;
    if (c >= 0xc0 && c <= 0x24f) latin++;
    else if (c >= 0x400 && c <= 0x4ff) s = 'cyr';
    else if (c >= 0x370 && c <= 0x3ff) s = 'el';
    else if (c >= 0x590 && c <= 0x5ff) s = 'he';
    else if (c >= 0x600 && c <= 0x6ff) s = 'ar';
    else if (c >= 0x900 && c <= 0x97f) s = 'hi';
    else if (c >= 0xe00 && c <= 0xe7f) s = 'th';
    else if (c >= 0x3040 && c <= 0x30ff) s = 'ja';
    else if (c >= 0xac00 && c <= 0xd7af) s = 'ko';
    else if (c >= 0x4e00 && c <= 0x9fff) s = 'zh';
    if (s) {
      counts[s] = (counts[s] ?? 0) + 1;
      other++;
    }
  }
  if (other === 0 || other < latin) return null;
  if (counts.ja) return 'ja';
  let best = '';
  let n = 0;
  for (const [k, v] of Object.entries(counts)) {
    if (v > n) {
      best = k;
      n = v;
    }
  }
  if (best === 'cyr') return /[їєіґ]/i.test(text) ? 'uk' : 'ru';
  return best;
}

/** ISO 639-1 code of the text's language, or 'und' when it cannot tell. */
export function detectLanguage(text: string): string {
  const script = scriptOf(text);
  if (script) return script;
  const scores: Record<string, number> = {};
  let words = 0;
  WORD_RE.lastIndex = 0;
  let m: RegExpExecArray | null = WORD_RE.exec(text);
  while (m !== null) {
    const w = m[0].toLowerCase();
    words++;
    const langs = WORD_LANG.get(w);
    if (langs) for (const l of langs) scores[l] = (scores[l] ?? 0) + 1 / langs.length;
    m = WORD_RE.exec(text);
  }
  const en = scores.en ?? 0;
  let best = 'en';
  let bestScore = en;
  for (const [l, s] of Object.entries(scores)) {
    if (s > bestScore) {
      best = l;
      bestScore = s;
    }
  }
  if (best === 'en') return en > 0 || words >= 3 ? 'en' : 'und';
  // Decide for another language only on clear evidence: enough hits and well ahead of English.
  if (bestScore >= 2 && bestScore >= 2 * en + 1) return best;
  if (en > 0) return 'en';
  return words >= 3 && bestScore >= 1.5 ? best : 'und';
}
