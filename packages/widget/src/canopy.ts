/*
 * Canopy survey widget. Embed:
 *   <script async src="https://canopy.example.com/widget.js" data-key="pk_…"></script>
 *   <script>window.canopy=window.canopy||function(){(canopy.q=canopy.q||[]).push(arguments)};
 *     canopy('identify', {email: 'ana@example.com', user_hash: '<hex HMAC from your server>'});
 *     canopy('track', 'checkout_done');</script>
 * Commands: identify({email|external_id, user_hash}), track(eventName), show(surveySlug), lang(tag).
 * user_hash = HMAC-SHA256(identity secret, external_id or else the lower-cased email), hex,
 * computed by the site's backend; unsigned identities are ignored unless the org turns
 * identity_verification off.
 * A survey appears when one of its triggers fires (page view, click on a selector, a tracked
 * event, time on page) and the server's contact rules allow it; each answer is saved as given.
 */
(() => {
  interface ShowIf {
    question: string;
    min?: number;
    max?: number;
    in?: string[];
  }
  interface Q {
    id: string;
    type: string;
    text: string;
    help?: string;
    required: boolean;
    scale?: [number, number];
    low_label?: string;
    high_label?: string;
    options?: { value: string; label: string }[];
    max_choices?: number;
    multiline?: boolean;
    max_length?: number;
    show_if?: ShowIf;
  }
  interface Survey {
    slug: string;
    name: string;
    lang: string;
    position: string;
    questions: Q[];
    labels: Record<string, string>;
  }
  interface Trigger {
    on: string;
    url_contains?: string;
    selector?: string;
    name?: string;
    seconds?: number;
  }
  type Value = number | string | string[];

  const w = window as unknown as { canopy?: { q?: unknown[][] } & ((...a: unknown[]) => void) };
  const script = (document.currentScript ||
    document.querySelector('script[data-key][src*="widget.js"]')) as HTMLScriptElement | null;
  if (!script) return;
  const base = new URL(script.src, location.href).origin;
  const key = script.getAttribute('data-key') || '';
  const api = (path: string) => `${base}/api/v1/widget/${path}?key=${encodeURIComponent(key)}`;
  const customer: { email?: string; external_id?: string; user_hash?: string } = {};
  let lang: string | undefined;
  let throttleDays = 0;
  let open = false;
  const shown: Record<string, boolean> = {};
  const eventTriggers: Record<string, string[]> = {};

  const post = (path: string, body: unknown) =>
    fetch(api(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`canopy: ${r.status}`))));

  const storeKey = (slug: string) => `canopy.asked.${slug}`;
  const recentlyAsked = (slug: string) => {
    try {
      const at = Number(localStorage.getItem(storeKey(slug)) || 0);
      return throttleDays > 0 && Date.now() - at < throttleDays * 86400000;
    } catch {
      return false;
    }
  };

  function fire(slug: string): void {
    if (open || shown[slug] || recentlyAsked(slug)) return;
    shown[slug] = true;
    post('display', {
      survey: slug,
      customer: customer.email || customer.external_id ? customer : undefined,
      lang: lang || navigator.language,
      url: location.href,
    })
      .then((r: { show: boolean; token?: string; survey?: Survey }) => {
        if (r.show && r.token && r.survey) render(r.survey, r.token);
      })
      .catch(() => undefined);
  }

  const visible = (q: Q, answers: Record<string, Value>) => {
    const c = q.show_if;
    if (!c) return true;
    const v = answers[c.question];
    if (v === undefined) return false;
    if (c.in) return (Array.isArray(v) ? v : [String(v)]).some((x) => c.in!.indexOf(x) >= 0);
    return typeof v === 'number' && (c.min == null || v >= c.min) && (c.max == null || v <= c.max);
  };

  const CSS = `:host{all:initial}
.box{position:fixed;z-index:2147483000;width:min(22rem,calc(100vw - 2rem));background:#fff;color:#1a1a1a;border-radius:12px;box-shadow:0 6px 24px rgba(0,0,0,.25);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:1rem 1rem .85rem}
.bottom-right{right:1rem;bottom:1rem}.bottom-left{left:1rem;bottom:1rem}.center{left:50%;top:50%;transform:translate(-50%,-50%)}
h2{font-size:1rem;margin:0 2rem .75rem 0;font-weight:600}
.x{position:absolute;top:.4rem;right:.4rem;width:2.25rem;height:2.25rem;border:0;background:none;font-size:1.4rem;cursor:pointer;color:#4a4f57;border-radius:6px}
.s{display:grid;gap:.25rem;grid-template-columns:repeat(var(--n),minmax(0,1fr))}
.s button{min-height:2.4rem;border:2px solid #6b7280;border-radius:6px;background:#fff;font:inherit;font-weight:600;cursor:pointer;color:#1a1a1a;padding:0}
.s button:hover{border-color:#0b5cad}
.e{display:flex;justify-content:space-between;font-size:.8rem;color:#4a4f57;margin-top:.25rem}
label.c{display:flex;gap:.5rem;align-items:center;padding:.3rem 0}
textarea{width:100%;box-sizing:border-box;min-height:5rem;font:inherit;border:2px solid #6b7280;border-radius:6px;padding:.4rem}
.go{margin-top:.6rem;background:#0b5cad;color:#fff;border:0;border-radius:6px;padding:.55rem 1.1rem;font:inherit;font-weight:600;cursor:pointer}
.help{color:#4a4f57;font-size:.85rem;margin:-.4rem 0 .5rem}
button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
a{color:#0b5cad}`;

  function el<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Record<string, string> = {},
    text?: string,
  ): HTMLElementTagNameMap[K] {
    const e = document.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }

  function render(s: Survey, token: string): void {
    open = true;
    try {
      localStorage.setItem(storeKey(s.slug), String(Date.now()));
    } catch {}
    const host = el('div', { 'data-canopy-survey': s.slug });
    const root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : (host as unknown as ShadowRoot);
    const style = el('style');
    style.textContent = CSS;
    const box = el('div', {
      class: `box ${s.position}`,
      role: 'dialog',
      'aria-modal': 'false',
      'aria-labelledby': 'cq',
      lang: s.lang,
    });
    root.appendChild(style);
    root.appendChild(box);
    document.body.appendChild(host);
    const answers: Record<string, Value> = {};
    let i = -1;
    const close = () => {
      host.remove();
      open = false;
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        close();
        document.removeEventListener('keydown', onKey);
      }
    };
    document.addEventListener('keydown', onKey);

    // Saves go one after another: the last answer and the completion are two requests, and sent
    // side by side the completion could land first and close the response without that answer.
    let chain: Promise<unknown> = Promise.resolve();
    const save = (done: boolean, add: Record<string, Value>) => {
      const sent = chain.then(() => post('answers', { token, answers: add, complete: done }));
      chain = sent.catch(() => undefined);
      return sent.catch(() => undefined);
    };

    const next = () => {
      i++;
      while (i < s.questions.length && !visible(s.questions[i], answers)) i++;
      box.textContent = '';
      const x = el('button', { class: 'x', type: 'button', 'aria-label': 'Close' }, s.labels.close);
      x.onclick = close;
      if (i >= s.questions.length) {
        save(true, {}).then(
          (r: { ending?: { title?: string; text?: string; link_url?: string; link_label?: string } }) => {
            box.textContent = '';
            box.setAttribute('role', 'status');
            const en = r?.ending || {};
            box.appendChild(el('h2', { id: 'cq' }, en.title || s.labels.thanks));
            if (en.text) box.appendChild(el('p', {}, en.text));
            if (en.link_url)
              box.appendChild(
                el('a', { href: en.link_url, target: '_blank', rel: 'noopener' }, en.link_label || en.link_url),
              );
            box.appendChild(x);
            setTimeout(close, 6000);
          },
        );
        return;
      }
      const q = s.questions[i];
      box.appendChild(el('h2', { id: 'cq' }, q.text));
      if (q.help) box.appendChild(el('p', { class: 'help' }, q.help));
      const answer = (v: Value | undefined) => {
        if (v !== undefined && !(Array.isArray(v) && !v.length) && v !== '') {
          answers[q.id] = v;
          save(false, { [q.id]: v });
        }
        next();
      };
      let first: HTMLElement | null = null;
      if (q.scale) {
        const row = el('div', { class: 's', role: 'group', 'aria-labelledby': 'cq' });
        row.style.setProperty('--n', String(q.scale[1] - q.scale[0] + 1));
        for (let v = q.scale[0]; v <= q.scale[1]; v++) {
          const b = el('button', { type: 'button', 'data-value': String(v) }, String(v));
          if (v === q.scale[0] && q.low_label) b.setAttribute('aria-label', `${v} – ${q.low_label}`);
          if (v === q.scale[1] && q.high_label) b.setAttribute('aria-label', `${v} – ${q.high_label}`);
          b.onclick = () => answer(v);
          row.appendChild(b);
          first = first || b;
        }
        box.appendChild(row);
        if (q.low_label || q.high_label) {
          const e = el('div', { class: 'e', 'aria-hidden': 'true' });
          e.appendChild(el('span', {}, q.low_label || ''));
          e.appendChild(el('span', {}, q.high_label || ''));
          box.appendChild(e);
        }
      } else {
        const go = el('button', { class: 'go', type: 'button' }, s.labels.next);
        if (q.options) {
          const multi = q.type === 'multi_choice';
          const inputs: HTMLInputElement[] = [];
          q.options.forEach((o, k) => {
            const lab = el('label', { class: 'c' });
            const inp = el('input', {
              type: multi ? 'checkbox' : 'radio',
              name: `c-${q.id}`,
              value: o.value,
              id: `o${k}`,
            });
            inputs.push(inp);
            lab.appendChild(inp);
            lab.appendChild(document.createTextNode(o.label));
            box.appendChild(lab);
            first = first || inp;
          });
          go.onclick = () => {
            const v = inputs.filter((x) => x.checked).map((x) => x.value);
            answer(multi ? v : v[0]);
          };
        } else {
          const ta = el('textarea', { 'aria-labelledby': 'cq', maxlength: String(q.max_length || 2000) });
          box.appendChild(ta);
          first = ta;
          go.onclick = () => answer(ta.value.trim() || undefined);
        }
        box.appendChild(go);
      }
      box.appendChild(x);
      if (first) (first as HTMLElement).focus();
    };
    next();
  }

  function setup(surveys: { slug: string; triggers: Trigger[] }[]): void {
    const here = location.href;
    surveys.forEach((s) => {
      s.triggers.forEach((t) => {
        if (t.url_contains && here.indexOf(t.url_contains) < 0) return;
        if (t.on === 'page_view') fire(s.slug);
        else if (t.on === 'time_on_page') setTimeout(() => fire(s.slug), (t.seconds || 0) * 1000);
        else if (t.on === 'click' && t.selector) {
          const sel = t.selector;
          document.addEventListener(
            'click',
            (e) => {
              const target = e.target as Element | null;
              if (target?.closest?.(sel)) fire(s.slug);
            },
            true,
          );
        } else if (t.on === 'event' && t.name) {
          eventTriggers[t.name] = eventTriggers[t.name] || [];
          eventTriggers[t.name].push(s.slug);
        }
      });
    });
  }

  const pending: unknown[][] = [];
  let ready = false;
  function command(args: unknown[]): void {
    const [cmd, arg] = args as [string, unknown];
    if (cmd === 'identify' && arg && typeof arg === 'object') {
      const a = arg as { email?: string; external_id?: string; user_hash?: string };
      if (a.email) customer.email = a.email;
      if (a.external_id) customer.external_id = a.external_id;
      // The site's signature of the identity; without it Canopy treats the visitor as anonymous.
      if (a.user_hash) customer.user_hash = a.user_hash;
    } else if (cmd === 'lang' && typeof arg === 'string') lang = arg;
    else if (!ready) pending.push(args);
    else if (cmd === 'track' && typeof arg === 'string') (eventTriggers[arg] || []).forEach(fire);
    else if (cmd === 'show' && typeof arg === 'string') fire(arg);
  }
  const queued = w.canopy?.q || [];
  const fn = (...args: unknown[]) => command(args);
  w.canopy = fn as typeof w.canopy;
  queued.forEach(command);

  fetch(api('config'), { credentials: 'omit' })
    .then((r) => r.json())
    .then((c: { throttle_days: number; surveys: { slug: string; triggers: Trigger[] }[] }) => {
      throttleDays = c.throttle_days || 0;
      ready = true;
      setup(c.surveys || []);
      pending.splice(0).forEach(command);
    })
    .catch(() => undefined);
})();
