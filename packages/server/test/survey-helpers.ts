import type { TestEnv } from './harness.js';

/** Shared by the survey tests: a survey definition and form/page helpers over real sockets. */
export const SURVEY = {
  key: 'after-chat',
  name: 'How did we do?',
  default_language: 'en',
  touchpoint: 'support-chat',
  questions: [
    {
      id: 'nps',
      type: 'nps',
      text: { en: 'How likely are you to recommend us to a friend?', pt: 'Qual a probabilidade de nos recomendar?' },
      required: true,
      low_label: 'Not likely',
      high_label: 'Very likely',
    },
    {
      id: 'reason',
      type: 'text',
      text: { en: 'What is the main reason for your score?', pt: 'Qual a principal razão?' },
      show_if: { question: 'nps', max: 8 },
    },
    { id: 'expect', type: 'expectation', text: 'Compared with what you expected, it was…', page: 2 },
    {
      id: 'contact',
      type: 'multi_choice',
      text: 'How did you contact us?',
      page: 2,
      options: [
        { value: 'chat', label: 'Chat' },
        { value: 'phone', label: 'Phone' },
        { value: 'email', label: 'Email' },
      ],
    },
  ],
  endings: [
    { id: 'fan', title: 'Thank you! Would you leave us a review?', show_if: { question: 'nps', min: 9 } },
    { id: 'default', title: 'Thank you for helping us improve' },
  ],
  email: { subject: 'How did we do?', intro: 'You chatted with us today.' },
};

export async function form(env: TestEnv, path: string, fields: [string, string][], accept = 'text/html') {
  const res = await fetch(env.base + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams(fields).toString(),
  });
  return {
    status: res.status,
    location: res.headers.get('location'),
    text: await res.text(),
    type: res.headers.get('content-type'),
  };
}

export async function page(env: TestEnv, path: string, accept = 'text/html') {
  const res = await fetch(env.base + path, { redirect: 'manual', headers: { accept } });
  return {
    status: res.status,
    location: res.headers.get('location'),
    text: await res.text(),
    type: res.headers.get('content-type') ?? '',
  };
}
