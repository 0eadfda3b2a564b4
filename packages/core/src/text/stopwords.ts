/** Very frequent function words of English and eleven other European languages (language.ts). */
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

export const WORD_LANG: Map<string, string[]> = new Map();
for (const [lang, words] of Object.entries(STOPWORDS)) {
  for (const w of words.split(' ')) {
    const l = WORD_LANG.get(w) ?? [];
    l.push(lang);
    WORD_LANG.set(w, l);
  }
}
