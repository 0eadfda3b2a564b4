/**
 * Combinatorial text templates for the demo: ticket and email bodies, chat openers, call notes,
 * survey verbatims, reviews and social posts. Wording follows the topic, the channel and the
 * customer's mood or score; slots, typos, emoji and the odd email address or phone number keep
 * it from looking canned and give PII redaction something to find.
 */
import type { Area } from './catalog.js';
import type { DemoRng } from './rng.js';

export type TicketTopic =
  | 'delivery_late'
  | 'delivery_damaged'
  | 'delivery_wrong_item'
  | 'billing_error'
  | 'double_charge'
  | 'refund_delay'
  | 'price_increase'
  | 'app_crash'
  | 'app_login'
  | 'machine_fault'
  | 'refund_policy'
  | 'how_to'
  | 'address_change'
  | 'plan_change'
  | 'onboarding_setup';

/** 0 calm, 1 annoyed, 2 angry. */
export type Mood = 0 | 1 | 2;
export type Polarity = 'pos' | 'mixed' | 'neg';

export interface TextVars {
  first: string;
  last: string;
  email: string;
  phone?: string | undefined;
  order?: string;
  days?: number | string;
  amount?: string;
  agent?: string | undefined;
  country?: string;
  [slot: string]: string | number | undefined;
}

const BRAND = 'Brightleaf';

/** Shared slots; a template names them as {slot}. Values may themselves contain slots. */
const SLOTS: Record<string, readonly string[]> = {
  brand: [BRAND, BRAND, BRAND, 'brightleaf', 'you guys', 'you'],
  coffee: [
    'the coffee',
    'the espresso blend',
    'the Ethiopia single origin',
    'the house blend',
    'the decaf',
    'the tea selection',
    'the cold brew',
    'the Colombia roast',
  ],
  machine: ['the machine', 'my grinder', 'the espresso machine', 'the Brew One', 'the milk frother', 'the kettle'],
  weekday: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  late_arrival: ['today', 'yesterday evening', 'this morning', 'on {weekday}', 'after the weekend'],
  tracking: [
    'out for delivery',
    'in transit',
    'label created',
    'at the depot',
    'delivery attempted',
    'delayed',
    'parcel is with the courier',
  ],
  really: ['really', 'very', 'super', 'extremely', 'quite', 'so', 'seriously'],
  upset: ['frustrated', 'annoyed', 'disappointed', 'fed up', 'unhappy', 'upset'],
  good: ['great', 'excellent', 'amazing', 'fantastic', 'lovely', 'brilliant', 'superb'],
  thanks: ['Thanks', 'Thank you', 'Many thanks', 'Thanks a lot', 'Cheers', 'Thx'],
  soon: ['as soon as possible', 'asap', 'today if possible', 'quickly', 'this week'],
  item: ['a bag of beans', 'the grinder', 'a box of capsules', 'the milk frother', 'two bags of decaf', 'the tea tin'],
  wrong_item: [
    'decaf instead of espresso',
    'tea instead of coffee',
    'someone else’s order',
    'ground instead of whole beans',
  ],
  pct: ['8', '8', '10', 'almost 10'],
  agent: ['the agent', 'the lady on the phone', 'the guy on the chat', 'your colleague', 'the support person'],
  wait: ['20', '35', '45', 'over 30', '50', '40'],
  days: ['3', '4', '5', 'a few', 'ten', 'two'],
  amount: ['€19.90', '€59', '€12.50', '€99', '€24'],
  card: ['4821', '0937', '1156', '7730', '2284', '6402'],
  order: ['my order', 'my last order', 'the order'],
};

const EMOJI_NEG = ['😡', '😤', '🙄', '👎', '😞', '😠', '🤬', '😩', '💔'];
const EMOJI_POS = ['😊', '👍', '🙏', '❤️', '☕', '🎉', '😍', '👌', '✨', '🙂'];
const EMOJI_NEU = ['🤔', '😅', '🙂', '☕', '📦'];

const SLOT_RE = /\{(\w+)\}/g;

export function fill(rng: DemoRng, tpl: string, vars: TextVars, depth = 0): string {
  return tpl.replace(SLOT_RE, (_m, name: string) => {
    const v = vars[name];
    if (v !== undefined) return String(v);
    const options = SLOTS[name];
    if (!options) return name;
    const chosen = rng.pick(options);
    return depth < 3 && chosen.includes('{') ? fill(rng, chosen, vars, depth + 1) : chosen;
  });
}

function pickFill(rng: DemoRng, pool: readonly string[], vars: TextVars): string {
  return fill(rng, rng.pick(pool), vars);
}

// ---------------------------------------------------------------------------------------------
// Tickets, emails, chats, call notes
// ---------------------------------------------------------------------------------------------

interface TopicText {
  subject: readonly string[];
  problem: readonly string[];
  extra: readonly string[];
  ask: readonly string[];
  chat: readonly string[];
  note: readonly string[];
}

const TOPICS: Record<TicketTopic, TopicText> = {
  delivery_late: {
    subject: [
      'Late delivery – order {order}',
      'Where is my order {order}?',
      'Order {order} still not delivered',
      'Delivery delay',
      'Still waiting for my parcel',
    ],
    problem: [
      'My order {order} was supposed to arrive on {weekday} and it is still not here.',
      'I am still waiting for order {order}. Tracking has said "{tracking}" for {days} days now.',
      'Order {order} is {days} days late and nobody has told me anything.',
      'The parcel was promised for {weekday} but it only turned up {late_arrival}.',
      'It has been {days} days past the delivery date for {order}.',
      'Our office has been without coffee for {days} days because order {order} is late.',
      'I took the day off to wait for the delivery and it never came.',
    ],
    extra: [
      'This is the second time this month.',
      'The courier website says something different every day.',
      'I did get an SMS saying it was on its way, then nothing.',
      'Since you changed courier this keeps happening.',
      '',
    ],
    ask: [
      'Can you tell me when it will actually arrive?',
      'Please send a replacement {soon}.',
      'I would like a refund for the shipping.',
      'Could you check with the courier?',
      'Please let me know what is going on.',
    ],
    chat: [
      'where is my order {order}??',
      'my delivery is {days} days late',
      'order {order} hasnt arrived yet',
      'parcel still not here',
    ],
    note: [
      'late order {order}, {days} days overdue, tracking stuck on "{tracking}".',
      'parcel {order} not delivered yet.',
      'where order {order} is ({days} days late).',
    ],
  },
  delivery_damaged: {
    subject: ['Damaged parcel', 'Box arrived crushed – {order}', 'Broken items in my order', 'Order {order} damaged'],
    problem: [
      'The box for order {order} arrived completely crushed and {item} was damaged.',
      'My parcel was left in the rain and the bags are soaked through.',
      'Half the capsules in order {order} were broken when I opened the box.',
      'The glass carafe in my order came in pieces.',
      'The parcel looked like someone had stood on it.',
    ],
    extra: [
      'I have photos if you need them.',
      'The courier just threw it over the fence.',
      'Coffee grounds everywhere.',
      '',
    ],
    ask: [
      'Please send a replacement.',
      'I want a refund for the damaged items.',
      'What do I do with the broken stuff?',
      'Can you replace it {soon}?',
    ],
    chat: ['my box arrived crushed', 'half the capsules are broken', 'order {order} came damaged'],
    note: ['damaged parcel {order}, has photos.', 'crushed box, broken items in {order}.'],
  },
  delivery_wrong_item: {
    subject: ['Wrong item delivered', 'Wrong order – {order}', 'This is not what I ordered'],
    problem: [
      'I received {wrong_item} in order {order}.',
      'The box for {order} had {wrong_item}.',
      'You sent me {wrong_item}, this is the second mix-up.',
    ],
    extra: [
      'The packing slip has my name on it though.',
      'I checked my order confirmation and it is definitely wrong.',
      '',
    ],
    ask: [
      'Please send the right items and a return label.',
      'How do I swap it?',
      'Can I keep it and get the right one too?',
    ],
    chat: ['got the wrong coffee in my box', 'you sent me {wrong_item}'],
    note: ['wrong items in {order} ({wrong_item}).'],
  },
  billing_error: {
    subject: ['Wrong invoice amount', 'Invoice error', 'Question about my invoice', 'Incorrect charge', 'Overcharged'],
    problem: [
      'My invoice shows {amount} but my plan is cheaper than that.',
      'I was charged {amount} for a plan I never chose.',
      'The invoice for order {order} has the wrong VAT number and the wrong total.',
      'You billed me for {amount} even though I paused my subscription.',
      'The latest invoice lists items I never received.',
    ],
    extra: [
      'I checked my bank statement twice.',
      'My card ending {card} was charged.',
      'Our finance team cannot book an invoice like this.',
      'The billing portal shows a different amount again.',
      '',
    ],
    ask: [
      'Please correct the invoice and refund the difference.',
      'Can you send a corrected invoice?',
      'I need this fixed before the end of the month.',
      'Please explain this charge.',
    ],
    chat: ['why was i charged {amount}?', 'my invoice is wrong', 'the bill is higher than my plan'],
    note: ['invoice of {amount}, says it is wrong.', 'a charge of {amount} they do not recognise.'],
  },
  double_charge: {
    subject: ['Charged twice', 'Double payment', 'Duplicate charge on my card', 'Refund for double charge'],
    problem: [
      'I have been charged twice for the same order ({order}), {amount} each time.',
      'My bank shows two payments of {amount} to {brand} on the same day.',
      'You took the annual fee twice this month.',
    ],
    extra: [
      'My card ending {card} was used.',
      'This left my account overdrawn.',
      'I already emailed about this last week.',
      '',
    ],
    ask: ['Please refund the second payment {soon}.', 'I want my money back.', 'Can you confirm the refund?'],
    chat: ['you charged me twice!!', 'double charge on my card {amount}', 'i paid twice for {order}'],
    note: ['double charge of {amount} on card ending {card}.', 'duplicate payment for {order}.'],
  },
  refund_delay: {
    subject: ['Where is my refund?', 'Refund still not received', 'Refund for order {order}'],
    problem: [
      'You promised a refund of {amount} {days} days ago and I still have not received it.',
      'My refund for order {order} has not arrived.',
      'Still no refund after {days} days.',
    ],
    extra: ['The agent said 3–5 working days.', 'I was told it was processed.', ''],
    ask: ['When will I get my money?', 'Please chase this with finance.', 'Please send proof the refund was sent.'],
    chat: ['still no refund??', 'where is my refund of {amount}'],
    note: ['refund of {amount} still missing after {days} days.'],
  },
  price_increase: {
    subject: ['New prices', 'Price increase?', 'Question about the price change', 'Why is my plan more expensive?'],
    problem: [
      'I just got the email that my plan goes up by {pct}%.',
      'The new price is too much for what we get.',
      'Why are prices going up again?',
      'My subscription will cost {amount} more per year from next month.',
    ],
    extra: [
      'Other shops are cheaper.',
      'I have been a customer for years.',
      'Nothing has improved to justify this.',
      '',
    ],
    ask: ['Can I keep my old price?', 'Is there a cheaper plan?', 'Otherwise I will cancel.', 'Please explain.'],
    chat: ['why did the price go up?', 'can i keep my old price', 'prices up {pct}%??'],
    note: ['the price increase, wants a cheaper plan.', 'new prices, unhappy.'],
  },
  app_crash: {
    subject: ['App keeps crashing', 'App crash', 'The app closes when I open my orders', 'App not working'],
    problem: [
      'The app crashes every time I try to skip a delivery.',
      'Since the last update the app closes as soon as I open "My orders".',
      'I cannot change my delivery date because the app freezes.',
      'The app shows a white screen and then crashes.',
      'I tried reinstalling the app, still crashes on my phone.',
    ],
    extra: [
      'I am on the latest version.',
      'It worked fine last week.',
      'My partner has the same problem on Android.',
      '',
    ],
    ask: [
      'Can you skip my next delivery for me?',
      'When will this be fixed?',
      'Please fix this.',
      'Is there a workaround?',
    ],
    chat: ['app crashes when i open my orders', 'the app keeps closing', 'cant skip delivery, app freezes'],
    note: ['app crashing on the orders screen.', 'app freezing when changing delivery.'],
  },
  app_login: {
    subject: ['Cannot log in', 'Login problem', 'Password reset not working'],
    problem: [
      'I cannot log in to the app, it says my password is wrong but the reset email never arrives.',
      'The app logs me out every time I close it.',
      'I get "session expired" every few minutes.',
    ],
    extra: ['My login email is {email}.', 'I checked the spam folder.', ''],
    ask: ['Please help me get back into my account.', 'Can you reset it for me?'],
    chat: ['cant log in', 'password reset email never comes', 'app keeps logging me out'],
    note: ['login problems in the app.'],
  },
  machine_fault: {
    subject: ['Machine not working', 'Problem with my machine', 'Espresso machine broken', 'Repair request'],
    problem: [
      '{machine} stopped working after a few months.',
      '{machine} is leaking water all over the counter.',
      '{machine} makes a loud noise and the coffee comes out cold.',
      'The display on {machine} shows error E4 and nothing happens.',
      '{machine} won’t turn on anymore.',
    ],
    extra: [
      'I descaled it as the manual says.',
      'It is still under warranty.',
      'We have 20 people in the office without coffee.',
      '',
    ],
    ask: ['Can you send a technician?', 'I need a replacement {soon}.', 'How do I get this repaired?'],
    chat: ['my machine is broken', 'machine leaking water', 'error E4 on the display'],
    note: ['machine fault ({machine} leaking).', 'machine not heating.', 'error E4 on the machine display.'],
  },
  refund_policy: {
    subject: ['Return refused', 'Refund policy', 'Why can’t I return this?', 'Return request'],
    problem: [
      'I wanted to return {item} but your website says opened items cannot be returned.',
      'You refused my return because it was 15 days instead of 14.',
      'I was told I cannot get a refund for an unopened bag because it is "perishable".',
      'The return policy says I have to pay the shipping myself, which costs more than the item.',
    ],
    extra: ['Other shops do this without any problem.', 'This is not how you treat loyal customers.', ''],
    ask: ['Please make an exception.', 'I want a refund anyway.', 'Can someone explain this policy to me?'],
    chat: ['why cant i return this?', 'you refused my return', 'return policy is unfair'],
    note: ['refused return (opened item).', 'the 14-day return rule, disputes it.'],
  },
  how_to: {
    subject: [
      'Question',
      'Quick question',
      'How do I pause my subscription?',
      'Grind size question',
      'Help with my plan',
    ],
    problem: [
      'How do I pause my subscription while I am on holiday?',
      'What grind size should I choose for a French press?',
      'Can I change the blend in my next box?',
      'How do I descale {machine}?',
      'Is it possible to get deliveries every three weeks instead of four?',
    ],
    extra: ['I could not find it in the help center.', '', ''],
    ask: ['Thanks for your help.', 'Let me know.', 'Thanks in advance!'],
    chat: ['how do i pause my subscription?', 'can i change my blend?', 'quick question about grind size'],
    note: ['pausing the subscription.', 'grind size for a French press.', 'descaling the machine.'],
  },
  address_change: {
    subject: ['Change of address', 'New delivery address', 'We are moving'],
    problem: [
      'We are moving next month, please update my delivery address.',
      'Please send future boxes to my office instead.',
      'I need to change the address for order {order}.',
    ],
    extra: ['The new address is in my account now.', ''],
    ask: ['Thanks!', 'Can you confirm?'],
    chat: ['need to change my address', 'can you send it to my office instead'],
    note: ['a change of delivery address.'],
  },
  plan_change: {
    subject: ['Change my plan', 'Upgrade', 'Downgrade request', 'More seats for our office'],
    problem: [
      'We would like to upgrade to the next plan.',
      'I want a smaller plan, we drink less coffee now.',
      'We need coffee for 10 more people in the office.',
    ],
    extra: ['', 'Our team is growing.'],
    ask: ['What are the options?', 'Can you change it from next month?'],
    chat: ['want to upgrade my plan', 'how do i downgrade?'],
    note: ['changing plan.', 'adding seats for the office.'],
  },
  onboarding_setup: {
    subject: ['Setting up my machine', 'First order questions', 'Getting started'],
    problem: [
      'I just got {machine} and I am not sure how to set it up.',
      'My first box arrived, which beans should I try first?',
      'The app does not find my machine.',
    ],
    extra: ['', 'The quick start guide is a bit confusing.'],
    ask: ['Can someone walk me through it?', 'Thanks!'],
    chat: ['how do i set up the machine?', 'app cant find my machine'],
    note: ['setting up the machine.'],
  },
};

const GREET = [
  'Hi',
  'Hello',
  'Hi there',
  'Dear {brand} team',
  'Good morning',
  'Hello support',
  'Hey',
  'To whom it may concern,',
  'Dear customer service',
];
const CHAT_OPEN = ['hi', 'hello', 'hey', 'hi there', '', 'good afternoon', 'hallo'];
const MOOD_LINE: Record<Mood, readonly string[]> = {
  0: ['No big rush, just wanted to let you know.', 'Hope you can help.', 'Otherwise I am happy with {brand}.', '', ''],
  1: [
    'This is {really} annoying.',
    'I am getting a bit {upset} with this.',
    'Not great, to be honest.',
    'I expected better from {brand}.',
    'This is the second time I have had to write.',
  ],
  2: [
    'This is completely unacceptable.',
    'I am {really} {upset} and thinking about cancelling.',
    'Worst service I have had in years.',
    'If this is not fixed this week I am cancelling my subscription.',
    'I have been waiting on hold for ages and nobody helps.',
    'Absolutely ridiculous.',
  ],
};
const SIGNOFF = ['Thanks', 'Best regards', 'Kind regards', 'Regards', 'Cheers', 'Best', 'Thank you', 'BR'];

function pii(rng: DemoRng, v: TextVars): string {
  const phone = v.phone ?? '';
  const local = phone.startsWith('+49') ? '0' + phone.slice(3, 6) + ' ' + phone.slice(6) : phone;
  const altEmail =
    v.first.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '') +
    '.' +
    v.last.charAt(0).toLowerCase() +
    '@example.net';
  const options = [
    `You can reach me at ${v.email}.`,
    `My other email is ${altEmail}, please use that one.`,
    `Please reply to ${altEmail}`,
  ];
  if (phone) options.push(`Call me on ${local}.`, `My number is ${phone}`, `Phone: ${local}`);
  return rng.pick(options);
}

const ACTION_NOTE: Record<string, string> = {
  rebooked: 'Rebooked with the courier.',
  refund_issued: 'Refund issued.',
  voucher_sent: 'Sent a €5 voucher.',
  explained: 'Explained.',
  replacement_sent: 'Replacement sent.',
  invoice_corrected: 'Invoice corrected.',
  credit_applied: 'Credit applied to account.',
  discount_offered: 'Offered 10% for 3 months.',
  plan_changed: 'Plan changed.',
  workaround: 'Gave workaround.',
  bug_logged: 'Bug logged for the app team.',
  technician_booked: 'Technician visit booked.',
  exception_granted: 'Exception granted, refund approved.',
  refused_per_policy: 'Refused per return policy.',
  address_updated: 'Address updated.',
  unresolved: 'Could not resolve.',
};

export interface TicketText {
  subject: string;
  text: string;
}

/** The customer's message for a ticket/email, chat, call (agent notes) or public social post. */
export function ticketText(
  rng: DemoRng,
  topic: TicketTopic,
  channel: 'email' | 'chat' | 'phone' | 'social' | 'web' | 'field',
  mood: Mood,
  v: TextVars,
  outcome?: string,
): TicketText {
  const t = TOPICS[topic];
  const subject = pickFill(rng, t.subject, v);
  let text: string;
  if (channel === 'chat') {
    const parts = [rng.pick(CHAT_OPEN), pickFill(rng, t.chat, v)];
    if (mood === 2) parts.push(rng.pick(['this is ridiculous', 'unacceptable', 'so annoying', 'worst service ever']));
    else if (mood === 1 && rng.chance(0.5)) parts.push(rng.pick(['again...', 'not happy', 'bit annoyed tbh']));
    if (rng.chance(0.5)) parts.push(pickFill(rng, t.ask, v).toLowerCase());
    if (rng.chance(0.05)) parts.push(pii(rng, v));
    text = parts.filter(Boolean).join(rng.pick([' ', ', ', '. ', ' - ']));
    if (rng.chance(0.3)) text = text.toLowerCase();
    if (rng.chance(mood === 0 ? 0.12 : 0.25)) text += ' ' + rng.pick(mood === 0 ? EMOJI_NEU : EMOJI_NEG);
    text = maybeTypos(rng, text, 0.35);
  } else if (channel === 'phone' || channel === 'field') {
    const intro = rng.pick([
      'Customer called about',
      'Call re:',
      'Inbound call –',
      'Caller asked about',
      'Spoke to customer re',
      'Cust. called re',
    ]);
    const moodNote =
      mood === 2
        ? rng.pick(['Very angry, mentioned cancelling.', 'Raised voice, wants compensation.', 'Extremely frustrated.'])
        : mood === 1
          ? rng.pick(['Annoyed.', 'Not happy about it.', 'Customer frustrated.', ''])
          : rng.pick(['Friendly.', 'Calm.', '']);
    const action = outcome ? (ACTION_NOTE[outcome] ?? '') : rng.pick(['Will call back.', 'Open, waiting on team.']);
    const parts = [`${intro} ${pickFill(rng, t.note, v)}`, moodNote, action];
    if (rng.chance(0.06)) parts.push(`Callback number ${v.phone ?? v.email}.`);
    text = maybeTypos(rng, parts.filter(Boolean).join(' '), 0.1);
  } else if (channel === 'social') {
    const handle = rng.pick(['@brightleaf', '@Brightleaf', '@brightleafcoffee', '@brightleaf_help']);
    const body = pickFill(rng, t.chat, v);
    const tail =
      mood === 2
        ? rng.pick(['#fail', '#customerservice', 'Not impressed.', 'Unbelievable.', '#neveragain'])
        : rng.pick(['', 'Any update?', 'pls help']);
    text = `${handle} ${body} ${tail}`.trim();
    if (rng.chance(0.4)) text += ' ' + rng.pick(mood === 0 ? EMOJI_NEU : EMOJI_NEG);
    text = maybeTypos(rng, text, 0.25);
  } else {
    const lines: string[] = [];
    const greet = pickFill(rng, GREET, v);
    lines.push(rng.chance(0.6) && !greet.endsWith(',') ? `${greet},` : greet);
    const body = [pickFill(rng, t.problem, v)];
    const extra = pickFill(rng, t.extra, v);
    if (extra) body.push(extra);
    const moodLine = pickFill(rng, MOOD_LINE[mood], v);
    if (moodLine) body.push(moodLine);
    body.push(pickFill(rng, t.ask, v));
    if (rng.chance(0.08)) body.push(pii(rng, v));
    if (rng.chance(0.15)) rotate(rng, body);
    lines.push(body.join(' '));
    const sign = rng.pick(SIGNOFF);
    const signature = rng.chance(0.5)
      ? `${sign},\n${v.first}`
      : rng.chance(0.5)
        ? `${sign}\n${v.first} ${v.last}`
        : `${v.first}`;
    lines.push(signature + (rng.chance(0.05) && v.phone ? `\n${v.phone}` : ''));
    text = lines.join('\n\n');
    text = maybeTypos(rng, text, 0.15);
    if (mood === 2 && rng.chance(0.1)) text = text.replace(/\.(\s|$)/, '!!$1');
  }
  return { subject, text };
}

function rotate(rng: DemoRng, parts: string[]): void {
  if (parts.length < 3) return;
  const i = rng.int(1, parts.length - 1);
  const [x] = parts.splice(i, 1);
  parts.splice(1, 0, x);
}

// ---------------------------------------------------------------------------------------------
// Typos
// ---------------------------------------------------------------------------------------------

const NO_APOSTROPHE: readonly (readonly [RegExp, string])[] = [
  [/\bdon't\b/g, 'dont'],
  [/\bI'm\b/g, 'im'],
  [/\bcan't\b/g, 'cant'],
  [/\bwon't\b/g, 'wont'],
  [/\bisn't\b/g, 'isnt'],
  [/\bI've\b/g, 'ive'],
];

/** With probability p, introduce one or two realistic typos. */
export function maybeTypos(rng: DemoRng, s: string, p: number): string {
  if (!rng.chance(p)) return s;
  const n = rng.chance(0.3) ? 2 : 1;
  let out = s;
  for (let k = 0; k < n; k++) {
    const kind = rng.int(0, 4);
    if (kind === 4) {
      for (const [re, rep] of NO_APOSTROPHE) out = out.replace(re, rep);
      continue;
    }
    const words = out.split(' ');
    const candidates: number[] = [];
    for (let i = 0; i < words.length; i++) if (/^[a-z]{5,}$/.test(words[i])) candidates.push(i);
    if (candidates.length === 0) continue;
    const wi = rng.pick(candidates);
    const w = words[wi];
    const j = rng.int(1, w.length - 2);
    if (kind === 0) words[wi] = w.slice(0, j) + w[j + 1] + w[j] + w.slice(j + 2);
    else if (kind === 1) words[wi] = w.slice(0, j) + w.slice(j + 1);
    else if (kind === 2) words[wi] = w.slice(0, j) + w[j] + w.slice(j);
    else words[wi] = w.slice(0, j) + nearKey(rng, w[j]) + w.slice(j + 1);
    out = words.join(' ');
  }
  return out;
}

const KEYS = 'qwertyuiopasdfghjklzxcvbnm';
function nearKey(rng: DemoRng, c: string): string {
  const i = KEYS.indexOf(c);
  if (i < 0) return c;
  return KEYS[Math.max(0, Math.min(KEYS.length - 1, i + (rng.chance(0.5) ? 1 : -1)))];
}

// ---------------------------------------------------------------------------------------------
// Verbatims, reviews, social posts
// ---------------------------------------------------------------------------------------------

const POS: Record<Area, readonly string[]> = {
  delivery: [
    'Deliveries always arrive on time, often a day early.',
    'The courier is friendly and the box always looks {good}.',
    'Love the packaging and the little tasting cards in every box.',
    'Fast delivery, never had an issue.',
    'The delivery SMS tells me exactly when it arrives, {really} handy.',
    'Every box has arrived on time for months.',
  ],
  billing: [
    'Billing is simple and transparent.',
    'Clear invoices, no surprises.',
    'Paying is easy and the portal is clear.',
  ],
  service: [
    '{agent} sorted my problem in minutes.',
    'Support was {really} helpful and friendly.',
    'When something went wrong they fixed it quickly and even sent a voucher.',
    '{good} customer service, real people who care.',
    '{agent} was {really} kind and patient with me.',
    'Quick answer on the chat and the issue was solved.',
  ],
  product: [
    '{coffee} is {good}, best I have had at home.',
    'The app makes it {really} easy to change or skip an order.',
    '{machine} works perfectly and makes {good} espresso.',
    'Love the seasonal blends.',
    '{coffee} is always fresh and tastes {good}.',
  ],
  returns: ['Returning an item was easy and the refund was quick.', 'No questions asked when I sent something back.'],
  price: ['Good value for the quality.', 'Fair price for {good} coffee.'],
  onboarding: [
    'The onboarding call was {really} helpful, {agent} explained everything.',
    'Setting up was easy with the welcome guide.',
  ],
  sales: ['{agent} from sales found the right plan for our office.', 'The tasting demo convinced the whole team.'],
};

const NEG: Record<Area, readonly string[]> = {
  delivery: [
    'My last deliveries were late, one of them by {days} days.',
    'The parcel turned up {days} days late and nobody told me anything.',
    'Delivery is a lottery, mostly late.',
    'The courier left the box in the rain and the bags were soaked.',
    'Tracking said delivered but it wasn’t, took a week to sort out.',
    'I plan my day around the delivery slot and it never comes on time.',
    'The box arrived crushed and half the capsules were broken.',
    'Since you changed courier everything arrives late.',
    'Late delivery AGAIN.',
  ],
  billing: [
    'I was charged twice and had to chase the refund for weeks.',
    'The invoice was wrong again, {amount} more than my plan.',
    'Billing is a mess, I still don’t understand what I paid for.',
    'You took the annual fee without any reminder.',
    'Overcharged and it took ages to get my money back.',
  ],
  service: [
    'Waited {wait} minutes on the phone just to be told to send an email.',
    'The agent was rude and didn’t listen.',
    'Nobody answered my email for {days} days.',
    'I had to explain the same problem three times to three different people.',
    'Support closed my ticket without fixing anything.',
    'Useless support, copy-paste answers.',
  ],
  product: [
    'The app keeps crashing whenever I try to skip a delivery.',
    '{machine} broke after a few months and the repair took forever.',
    'The app logs me out every single time.',
    '{coffee} tasted stale lately, poor quality.',
  ],
  returns: [
    'Your refund policy is ridiculous, I couldn’t return an unopened bag.',
    'Returning the grinder was a nightmare and they refused the refund.',
    'Unfair return policy, I lost money.',
  ],
  price: [
    'Prices went up {pct}% and nothing got better.',
    'Too expensive since the price increase.',
    'Way overpriced now.',
  ],
  onboarding: [
    'Setting up the machine was confusing and the onboarding call didn’t help.',
    'Terrible start, nobody explained anything.',
  ],
  sales: ['The sales rep promised things that weren’t true.', 'Pushy sales calls, annoying.'],
};

const MILD: Record<Area, readonly string[]> = {
  delivery: [
    'deliveries are sometimes a bit late',
    'the delivery slots could be more precise',
    'one box came a few days late',
  ],
  billing: ['the invoices could be clearer', 'the billing portal is a bit clunky'],
  service: ['getting through to support takes a while', 'support answers are a bit slow'],
  product: ['the app could be smoother', 'some blends are hit and miss', 'the app is a bit buggy'],
  returns: ['the return rules are a bit strict'],
  price: ['it’s getting a bit pricey', 'the new prices are steep'],
  onboarding: ['setup took longer than expected'],
  sales: ['the plans are a bit confusing'],
};

const NEG_CLOSE = [
  'Thinking about cancelling.',
  'Will not recommend.',
  '{really} disappointed.',
  'Not what I expected from {brand}.',
  'Fix your {area_word}!',
  'Terrible experience overall.',
  '',
  '',
];
const POS_CLOSE = [
  'Already recommended you to friends!',
  'Keep it up!',
  'Thank you {brand}!',
  '10/10 would recommend.',
  'Love it.',
  '',
  '',
  '',
];
const NEU_GENERIC = ['It’s fine.', 'Good overall.', 'Does the job.', 'Mostly happy.', 'Nice coffee, nothing special.'];
const SHORT_NEG: Record<Area, readonly string[]> = {
  delivery: ['Late deliveries.', 'Delivery!!', 'late again'],
  billing: ['Billing errors.', 'Double charged.'],
  service: ['Bad support.', 'Slow service.'],
  product: ['App crashes.', 'Broken machine.'],
  returns: ['Refund policy.', 'No refund.'],
  price: ['Too expensive.', 'Price.'],
  onboarding: ['Bad setup experience.'],
  sales: ['Pushy sales.'],
};
const SHORT_POS = [
  'Great coffee!',
  'Love it',
  'Excellent service',
  'Always on time 👍',
  'Perfect',
  'Fantastic beans ☕',
  'Very good',
];
const AREA_WORD: Record<Area, string> = {
  delivery: 'deliveries',
  billing: 'billing',
  service: 'support',
  product: 'app',
  returns: 'return policy',
  price: 'prices',
  onboarding: 'onboarding',
  sales: 'sales process',
};

/** Other-language verbatims for customers in those countries (a small share). */
const FOREIGN: Record<string, { lang: string; pos: readonly string[]; neg: readonly string[] }> = {
  DE: {
    lang: 'de',
    pos: [
      'Super Kaffee und schnelle Lieferung, gerne wieder!',
      'Sehr freundlicher Kundenservice, danke!',
      'Tolle Bohnen, immer frisch.',
    ],
    neg: [
      'Lieferung kam wieder zu spät, sehr enttäuschend.',
      'Zweimal abgebucht und niemand hilft. Unmöglich!',
      'Die App stürzt ständig ab.',
    ],
  },
  AT: {
    lang: 'de',
    pos: ['Super Kaffee, immer pünktlich geliefert.'],
    neg: ['Paket kam beschädigt an, sehr ärgerlich.', 'Viel zu teuer seit der Preiserhöhung.'],
  },
  FR: {
    lang: 'fr',
    pos: ['Excellent café, livraison rapide, je recommande !', 'Service client très sympathique.'],
    neg: ['Livraison en retard encore une fois, très déçu.', 'Facture erronée, remboursement interminable.'],
  },
  ES: {
    lang: 'es',
    pos: ['Café buenísimo y entrega rápida, lo recomiendo.', 'Atención al cliente excelente.'],
    neg: ['El pedido llegó tarde otra vez, muy decepcionado.', 'Me cobraron dos veces, fatal.'],
  },
};

export interface Verbatim {
  text: string;
  language: string;
}

/**
 * A free-text answer whose sentiment matches the polarity and whose topic is the area that
 * shaped the score the most (worst area for negative, best for positive).
 */
export function verbatim(
  rng: DemoRng,
  polarity: Polarity,
  negArea: Area,
  posArea: Area,
  v: TextVars,
  country: string,
): Verbatim {
  const foreign = FOREIGN[country];
  if (foreign && polarity !== 'mixed' && rng.chance(0.12)) {
    return { text: rng.pick(polarity === 'pos' ? foreign.pos : foreign.neg), language: foreign.lang };
  }
  const vars: TextVars = { ...v, area_word: AREA_WORD[negArea] };
  let s: string;
  if (polarity === 'neg') {
    if (rng.chance(0.18)) s = rng.pick(SHORT_NEG[negArea]);
    else {
      const parts = [pickFill(rng, NEG[negArea], vars)];
      if (rng.chance(0.35)) {
        const second: Area = rng.chance(0.5) ? 'service' : negArea;
        const s2 = pickFill(rng, NEG[second], vars);
        if (s2 !== parts[0]) parts.push(s2);
      }
      const close = pickFill(rng, NEG_CLOSE, vars);
      if (close) parts.push(close);
      s = parts.join(' ');
    }
    if (rng.chance(0.12)) s += ' ' + rng.pick(EMOJI_NEG);
  } else if (polarity === 'pos') {
    if (rng.chance(0.2)) s = rng.pick(SHORT_POS);
    else {
      const parts = [pickFill(rng, POS[posArea], vars)];
      if (rng.chance(0.35)) {
        const s2 = pickFill(rng, POS[rng.pick(['product', 'delivery', 'service'] as const)], vars);
        if (s2 !== parts[0]) parts.push(s2);
      }
      const close = pickFill(rng, POS_CLOSE, vars);
      if (close) parts.push(close);
      s = parts.join(' ');
    }
    if (rng.chance(0.15)) s += ' ' + rng.pick(EMOJI_POS);
  } else {
    const r = rng.next();
    if (r < 0.15) s = rng.pick(NEU_GENERIC);
    else {
      const pa: Area = posArea === negArea ? (negArea === 'product' ? 'delivery' : 'product') : posArea;
      const pos = pickFill(rng, POS[pa], vars).replace(/[.!]$/, '');
      const mild = pickFill(rng, MILD[negArea], vars);
      s = r < 0.6 ? `${pos}, but ${mild}.` : `${capitalise(mild)}, otherwise ${lowerFirst(pos)}.`;
    }
  }
  if (rng.chance(0.15)) s = s.toLowerCase();
  return { text: maybeTypos(rng, s, 0.12), language: 'en' };
}

/** A public review (stars 1–5) or a social post, worded like the verbatims. */
export function reviewText(rng: DemoRng, stars: number, negArea: Area, posArea: Area, v: TextVars): string {
  const polarity: Polarity = stars <= 2 ? 'neg' : stars === 3 ? 'mixed' : 'pos';
  const title =
    polarity === 'neg'
      ? rng.pick(['Disappointed', 'Avoid', 'Not again', 'Went downhill', 'Poor service', 'Frustrating'])
      : polarity === 'pos'
        ? rng.pick(['Great coffee subscription', 'Highly recommend', 'Love it', 'Best coffee delivery', 'Excellent'])
        : rng.pick(['OK', 'Good but…', 'Mixed feelings', 'Decent']);
  const body = verbatim(rng, polarity, negArea, posArea, v, '').text;
  return `${title}. ${body}`;
}

export function socialText(rng: DemoRng, polarity: Polarity, negArea: Area, posArea: Area, v: TextVars): string {
  const handle = rng.pick(['@brightleaf', '@Brightleaf', '@brightleafcoffee']);
  const body = verbatim(rng, polarity, negArea, posArea, v, '').text;
  const tags =
    polarity === 'neg'
      ? rng.pick(['#fail', '#customerservice', '', '#neveragain', ''])
      : polarity === 'pos'
        ? rng.pick(['#coffee', '#coffeelover', '#morningcoffee', '', '#happy'])
        : rng.pick(['', '#coffee']);
  const lead = rng.chance(0.5) ? `${handle} ${body}` : `${body} ${handle}`;
  return `${lead} ${tags}`.trim();
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) && !s.startsWith('I ') ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}
