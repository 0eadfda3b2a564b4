import { oneClickQuestion, pickText, questionScale, type SurveyDefinition } from '@canopy/core';
import nodemailer, { type Transporter } from 'nodemailer';
import { esc, ui } from './pages.js';

/**
 * Survey emails over SMTP. The transport comes from CANOPY_SMTP_URL (smtp://user:pass@host:port,
 * smtps://… for TLS), read when a mail is sent, so an operator can change it without a rebuild.
 */
let cached: { url: string; transport: Transporter } | undefined;

export function smtpTransport(): Transporter | undefined {
  const url = process.env.CANOPY_SMTP_URL;
  if (!url) return undefined;
  if (cached?.url !== url) {
    cached?.transport.close();
    cached = { url, transport: nodemailer.createTransport(url) };
  }
  return cached.transport;
}

export interface SurveyEmailLinks {
  survey: string;
  answer: (value: number) => string;
  optOut: string;
  pixel: string;
}

/** Subject, HTML and text of a survey email; a score question first is answered by one click. */
export function surveyEmail(d: SurveyDefinition, lang: string, links: SurveyEmailLinks) {
  const t = (x: Parameters<typeof pickText>[0]) => pickText(x, lang, d.default_language);
  const subject = d.email ? t(d.email.subject) : d.name;
  const intro = d.email?.intro ? t(d.email.intro) : '';
  const q = oneClickQuestion(d);
  let scaleHtml = '';
  let scaleText = '';
  if (q) {
    const [lo, hi] = questionScale(q)!;
    const cells: string[] = [];
    const lines: string[] = [];
    for (let v = lo; v <= hi; v++) {
      cells.push(
        `<td style="padding:2px"><a href="${esc(links.answer(v))}" style="display:block;min-width:28px;padding:10px 0;text-align:center;border:2px solid #0b5cad;border-radius:6px;color:#0b5cad;font-weight:bold;text-decoration:none">${v}</a></td>`,
      );
      lines.push(`${v}: ${links.answer(v)}`);
    }
    const ends =
      q.low_label || q.high_label
        ? `<tr><td colspan="${hi - lo + 1}" style="font-size:13px;color:#4a4f57"><span style="float:left">${esc(t(q.low_label))}</span><span style="float:right">${esc(t(q.high_label))}</span></td></tr>`
        : '';
    scaleHtml = `<p style="font-size:17px;font-weight:bold">${esc(t(q.text))}</p>
<table role="presentation" cellspacing="0" cellpadding="0"><tr>${cells.join('')}</tr>${ends}</table>`;
    scaleText = `${t(q.text)}\n${lines.join('\n')}\n`;
  }
  const html = `<!doctype html><html lang="${esc(lang)}"><body style="font-family:Arial,sans-serif;color:#1a1a1a;max-width:560px">
${intro ? `<p>${esc(intro)}</p>` : ''}${scaleHtml}
<p><a href="${esc(links.survey)}" style="color:#0b5cad">${esc(q ? d.name : `${d.name} →`)}</a></p>
<p style="font-size:12px;color:#4a4f57"><a href="${esc(links.optOut)}" style="color:#4a4f57">${esc(ui(lang, 'optOutButton'))}</a></p>
<img src="${esc(links.pixel)}" width="1" height="1" alt=""></body></html>`;
  const text = `${intro ? `${intro}\n\n` : ''}${scaleText}\n${d.name}: ${links.survey}\n\n${ui(lang, 'optOutButton')}: ${links.optOut}\n`;
  return { subject, html, text };
}
