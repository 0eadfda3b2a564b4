import {
  type AnswerMap,
  type Ending,
  isVisible,
  pickText,
  type Question,
  questionScale,
  type SurveyDefinition,
  surveyLanguages,
} from '@canopy/core';

/**
 * Hosted survey pages: server-rendered, mobile-first HTML that works without JavaScript.
 * Native radio buttons and checkboxes (keyboard and screen readers for free), a label for
 * every control, fieldset/legend for groups, errors tied to fields with aria-describedby, a
 * visible focus ring, and colours above WCAG AA contrast. A tiny inline script (CSP nonce)
 * only shows a follow-up when its condition on the same page holds.
 */

const UI: Record<string, Record<string, string>> = {
  en: {
    next: 'Next',
    submit: 'Submit',
    required: 'required',
    page: 'Page {n} of {m}',
    errors: 'Please check your answers',
    thanks: 'Thank you!',
    thanksText: 'Your answers have been recorded.',
    optOutTitle: 'Stop survey emails?',
    optOutText: 'We will not send you any more surveys.',
    optOutButton: 'Unsubscribe',
    optOutDone: 'You are unsubscribed',
    optOutDoneText: 'You will not receive any more surveys from us.',
    choose: 'Choose one',
    chooseMany: 'Choose any',
    language: 'Language',
  },
  pt: {
    next: 'Seguinte',
    submit: 'Enviar',
    required: 'obrigatória',
    page: 'Página {n} de {m}',
    errors: 'Verifique as suas respostas',
    thanks: 'Obrigado!',
    thanksText: 'As suas respostas foram registadas.',
    optOutTitle: 'Deixar de receber inquéritos?',
    optOutText: 'Não lhe enviaremos mais inquéritos.',
    optOutButton: 'Cancelar subscrição',
    optOutDone: 'Subscrição cancelada',
    optOutDoneText: 'Não voltará a receber inquéritos nossos.',
    choose: 'Escolha uma opção',
    chooseMany: 'Escolha as que quiser',
    language: 'Idioma',
  },
  es: {
    next: 'Siguiente',
    submit: 'Enviar',
    required: 'obligatoria',
    page: 'Página {n} de {m}',
    errors: 'Revise sus respuestas',
    thanks: '¡Gracias!',
    thanksText: 'Sus respuestas se han registrado.',
    optOutTitle: '¿Dejar de recibir encuestas?',
    optOutText: 'No le enviaremos más encuestas.',
    optOutButton: 'Darse de baja',
    optOutDone: 'Se ha dado de baja',
    optOutDoneText: 'No recibirá más encuestas nuestras.',
    choose: 'Elija una',
    chooseMany: 'Elija las que quiera',
    language: 'Idioma',
  },
};

export function ui(lang: string, k: string): string {
  return (UI[lang] ?? UI[lang.split('-')[0]] ?? UI.en)[k] ?? UI.en[k] ?? k;
}

export function esc(s: unknown): string {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f4f5f7}
main{max-width:40rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 1rem}
.progress{color:#4a4f57;font-size:.9rem;margin:0 0 .5rem}
fieldset,.q{border:0;margin:0 0 1.5rem;padding:0;min-width:0}
legend,.qlabel{display:block;font-weight:600;font-size:1.05rem;margin-bottom:.5rem;padding:0}
.help{color:#4a4f57;font-size:.9rem;margin:-.25rem 0 .5rem}
.req{color:#a4262c;font-weight:400;font-size:.85rem}
.scale{display:grid;gap:.35rem;grid-template-columns:repeat(var(--n),minmax(0,1fr))}
.scale.n11{grid-template-columns:repeat(6,minmax(0,1fr))}
@media (min-width:30rem){.scale.n11{grid-template-columns:repeat(11,minmax(0,1fr))}}
.opt{position:relative;display:block}
.opt input{position:absolute;opacity:0;inset:0;width:100%;height:100%;margin:0;cursor:pointer}
.opt span{display:flex;align-items:center;justify-content:center;min-height:2.75rem;border:2px solid #6b7280;border-radius:8px;background:#fff;font-weight:600}
.opt input:checked+span{background:#0b5cad;border-color:#0b5cad;color:#fff}
.opt input:focus-visible+span{outline:3px solid #f5a623;outline-offset:2px}
.ends{display:flex;justify-content:space-between;color:#4a4f57;font-size:.85rem;margin-top:.25rem}
.choice{display:flex;gap:.6rem;align-items:center;min-height:2.75rem;padding:.25rem .5rem;border:1px solid #c4c8cf;border-radius:8px;margin-bottom:.35rem;background:#fff}
.choice input{width:1.25rem;height:1.25rem;accent-color:#0b5cad}
textarea,input[type=text]{width:100%;font:inherit;padding:.6rem;border:2px solid #6b7280;border-radius:8px;min-height:6rem}
textarea:focus-visible,input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
button{font:inherit;font-weight:600;color:#fff;background:#0b5cad;border:0;border-radius:8px;padding:.75rem 1.5rem;min-height:2.75rem;width:100%;cursor:pointer}
@media (min-width:30rem){button{width:auto}}
.err{color:#a4262c;font-weight:600;margin:.25rem 0}
.summary{border:2px solid #a4262c;border-radius:8px;padding:.75rem;margin-bottom:1rem}
.langs{font-size:.9rem;margin-top:1rem;color:#4a4f57}
.langs a{color:#0b5cad;margin-right:.75rem}
a{color:#0b5cad}
[hidden]{display:none!important}`;

/** Shows a follow-up when its condition on an answer on the same page holds (no-JS: always shown). */
const SCRIPT = `(function(){var f=document.querySelector('form');if(!f)return;
function val(q){var els=f.querySelectorAll('[name="a.'+q+'"]'),out=[];for(var i=0;i<els.length;i++){var e=els[i];if((e.type==='radio'||e.type==='checkbox')?e.checked:e.value!=='')out.push(e.value)}return out}
function upd(){var c=f.querySelectorAll('[data-if]');for(var i=0;i<c.length;i++){var d=JSON.parse(c[i].getAttribute('data-if'));if(!f.querySelector('[name="a.'+d.question+'"]'))continue;var v=val(d.question),ok=false;
for(var j=0;j<v.length;j++){if(d['in']){if(d['in'].indexOf(v[j])>=0)ok=true}else{var n=Number(v[j]);if((d.min==null||n>=d.min)&&(d.max==null||n<=d.max))ok=true}}
c[i].hidden=!ok;var ins=c[i].querySelectorAll('input,textarea');for(var k=0;k<ins.length;k++)ins[k].disabled=!ok}}
f.addEventListener('change',upd);upd()})();`;

export function layout(
  lang: string,
  title: string,
  body: string,
  nonce: string,
  opts: { script?: boolean } = {},
): string {
  return `<!doctype html><html lang="${esc(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(title)}</title><style nonce="${nonce}">${CSS}</style></head>
<body><main>${body}</main>${opts.script ? `<script nonce="${nonce}">${SCRIPT}</script>` : ''}</body></html>`;
}

export function contentSecurityPolicy(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
}

function questionHtml(d: SurveyDefinition, q: Question, lang: string, value: unknown, error?: string): string {
  const t = (x: Parameters<typeof pickText>[0]) => esc(pickText(x, lang, d.default_language));
  const id = `q-${q.id}`;
  const name = `a.${q.id}`;
  const errId = `${id}-err`;
  const help = q.help ? `<p class="help" id="${id}-help">${t(q.help)}</p>` : '';
  const req = q.required ? ` <span class="req">(${esc(ui(lang, 'required'))})</span>` : '';
  const err = error ? `<p class="err" id="${errId}">${esc(error)}</p>` : '';
  const described = [q.help ? `${id}-help` : '', error ? errId : ''].filter(Boolean).join(' ');
  const aria = `${described ? ` aria-describedby="${described}"` : ''}${error ? ' aria-invalid="true"' : ''}`;
  const cond = q.show_if ? ` data-if="${esc(JSON.stringify(q.show_if))}"` : '';
  const scale = questionScale(q);
  if (scale) {
    const n = scale[1] - scale[0] + 1;
    const opts: string[] = [];
    for (let v = scale[0]; v <= scale[1]; v++) {
      opts.push(
        `<label class="opt"><input type="radio" name="${name}" value="${v}"${Number(value) === v && value !== undefined ? ' checked' : ''}${q.required ? ' required' : ''}${aria}><span>${v}</span></label>`,
      );
    }
    const ends =
      q.low_label || q.high_label
        ? `<div class="ends" aria-hidden="true"><span>${t(q.low_label)}</span><span>${t(q.high_label)}</span></div>`
        : '';
    const endsSr =
      q.low_label || q.high_label
        ? `<span class="help">(${scale[0]} = ${t(q.low_label)}, ${scale[1]} = ${t(q.high_label)})</span>`
        : '';
    return `<fieldset id="${id}"${cond}><legend>${t(q.text)}${req}</legend>${help}${err}
<div class="scale${n === 11 ? ' n11' : ''}" style="--n:${n}">${opts.join('')}</div>${ends}${endsSr ? `<div hidden>${endsSr}</div>` : ''}</fieldset>`;
  }
  if (q.type === 'single_choice' || q.type === 'multi_choice') {
    const multi = q.type === 'multi_choice';
    const chosen = new Set(Array.isArray(value) ? value.map(String) : value !== undefined ? [String(value)] : []);
    const opts = q.options
      .map(
        (o, i) =>
          `<label class="choice" for="${id}-${i}"><input id="${id}-${i}" type="${multi ? 'checkbox' : 'radio'}" name="${name}" value="${esc(o.value)}"${chosen.has(o.value) ? ' checked' : ''}${aria}>${t(o.label)}</label>`,
      )
      .join('');
    return `<fieldset id="${id}"${cond}><legend>${t(q.text)}${req}</legend>${help}${err}${opts}</fieldset>`;
  }
  // text
  const v = typeof value === 'string' ? value : '';
  const multiline = q.type === 'text' && q.multiline;
  const max = q.type === 'text' ? q.max_length : 2000;
  const control = multiline
    ? `<textarea id="${id}-in" name="${name}" maxlength="${max}" rows="4"${q.required ? ' required' : ''}${aria}>${esc(v)}</textarea>`
    : `<input type="text" id="${id}-in" name="${name}" maxlength="${max}" value="${esc(v)}"${q.required ? ' required' : ''}${aria}>`;
  return `<div class="q" id="${id}"${cond}><label class="qlabel" for="${id}-in">${t(q.text)}${req}</label>${help}${err}${control}</div>`;
}

export interface SurveyPageInput {
  d: SurveyDefinition;
  lang: string;
  page: number;
  answers: AnswerMap;
  /** Hidden form fields carried to the POST (token, page, hidden fields of a public link). */
  carry: Record<string, string>;
  action: string;
  errors?: Record<string, string>;
  nonce: string;
  /** Link to this page in another language (query string without lang). */
  languageHref?: (lang: string) => string;
}

export function surveyPage(p: SurveyPageInput): string {
  const { d, lang } = p;
  const pages = [...new Set(d.questions.map((q) => q.page))].sort((a, b) => a - b);
  // A question is shown when its condition holds on earlier answers, or (same page) may come to hold.
  const onPage = d.questions.filter(
    (q) =>
      q.page === p.page &&
      (!q.show_if || isVisible(q, p.answers) || d.questions.find((x) => x.id === q.show_if!.question)?.page === p.page),
  );
  const idx = Math.max(0, pages.indexOf(p.page));
  const onThisPage = new Set(d.questions.filter((q) => q.page === p.page).map((q) => q.id));
  const last = !d.questions.some(
    (q) => q.page > p.page && (!q.show_if || isVisible(q, p.answers) || onThisPage.has(q.show_if.question)),
  );
  const errors = p.errors ?? {};
  const errorList = Object.entries(errors);
  const summary = errorList.length
    ? `<div class="summary" role="alert" tabindex="-1"><p class="err">${esc(ui(lang, 'errors'))}</p><ul>${errorList
        .map(
          ([q, r]) =>
            `<li><a href="#q-${esc(q)}">${esc(pickText(d.questions.find((x) => x.id === q)?.text, lang, d.default_language) || q)}: ${esc(r)}</a></li>`,
        )
        .join('')}</ul></div>`
    : '';
  const fields = onPage.map((q) => questionHtml(d, q, lang, p.answers[q.id], errors[q.id])).join('\n');
  const hidden = Object.entries({ ...p.carry, page: String(p.page) })
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  const progress =
    pages.length > 1
      ? `<p class="progress">${esc(
          ui(lang, 'page')
            .replace('{n}', String(idx + 1))
            .replace('{m}', String(pages.length)),
        )}</p>`
      : '';
  const langs = surveyLanguages(d);
  const switcher =
    langs.length > 1 && p.languageHref
      ? `<nav class="langs" aria-label="${esc(ui(lang, 'language'))}">${langs
          .map((l) =>
            l === lang
              ? `<span aria-current="true">${esc(l)}</span> `
              : `<a href="${esc(p.languageHref!(l))}" hreflang="${esc(l)}" lang="${esc(l)}">${esc(l)}</a>`,
          )
          .join('')}</nav>`
      : '';
  const body = `<div class="card"><h1>${esc(d.name)}</h1>${progress}${summary}
<form method="post" action="${esc(p.action)}" novalidate>${hidden}${fields}
<button type="submit">${esc(ui(lang, last ? 'submit' : 'next'))}</button></form>${switcher}</div>`;
  return layout(lang, d.name, body, p.nonce, { script: onPage.some((q) => q.show_if) });
}

export function endingPage(d: SurveyDefinition, ending: Ending | undefined, lang: string, nonce: string): string {
  const t = (x: Parameters<typeof pickText>[0]) => esc(pickText(x, lang, d.default_language));
  const title = ending ? t(ending.title) : esc(ui(lang, 'thanks'));
  const text = ending?.text ? t(ending.text) : ending ? '' : esc(ui(lang, 'thanksText'));
  const link = ending?.link_url
    ? `<p><a href="${esc(ending.link_url)}" rel="noopener">${t(ending.link_label) || esc(ending.link_url)}</a></p>`
    : '';
  return layout(
    lang,
    d.name,
    `<div class="card" role="status"><h1>${title}</h1>${text ? `<p>${text}</p>` : ''}${link}</div>`,
    nonce,
  );
}

export function messagePage(lang: string, title: string, text: string, nonce: string, extra = ''): string {
  return layout(lang, title, `<div class="card"><h1>${esc(title)}</h1><p>${esc(text)}</p>${extra}</div>`, nonce);
}

export function optOutPage(lang: string, action: string, token: string, nonce: string): string {
  return messagePage(
    lang,
    ui(lang, 'optOutTitle'),
    ui(lang, 'optOutText'),
    nonce,
    `<form method="post" action="${esc(action)}"><input type="hidden" name="t" value="${esc(token)}"><button type="submit">${esc(ui(lang, 'optOutButton'))}</button></form>`,
  );
}
