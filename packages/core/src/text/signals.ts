import type { SentimentDetail } from './sentiment.js';
import { TokenKind } from './tokenize.js';
import type { Emotion } from './types.js';

/**
 * Rule-based signals beyond polarity: emotions, customer effort, urgency and churn threat.
 * Patterns run on the lower-cased text; each emotion cue is ignored when a negator precedes it
 * closely ("not happy" is not joy).
 */

const NEG_BEFORE = /(?:\bnot|\bnever|n't|\bno|\bwithout|\bhardly)\s+(?:\w+\s+)?$/;

const EMOTION_CUES: [Emotion, RegExp][] = [
  [
    'anger',
    /\b(?:angry|anger|furious|fuming|livid|outraged|outrageous|enraged|infuriat\w*|pissed|mad at|disgust(?:ed|ing)|appalled|appalling|unacceptable|ridiculous|absurd|disgrace\w*|shameful|how dare|hate|hated|wtf|f+u+c+k+\w*|scam\w*|rip ?off|ripped off|thieves|criminal)\b|😡|😠|🤬/g,
  ],
  [
    'frustration',
    /\b(?:frustrat\w*|annoy\w*|irritat\w*|fed up|sick of|sick and tired|tired of|had enough|again and again|over and over|still waiting|still not|still no|still haven't|still hasn't|keep (?:getting|calling|asking|telling)|kept (?:getting|calling|asking|telling)|(?:third|fourth|fifth|3rd|4th|5th) time|every time|waste of time|ugh+|argh+|useless|pointless|hopeless|nightmare|impossible|jump through hoops|runaround|run around|going (?:round|around) in circles|no one (?:cares|helps|answers)|nobody (?:cares|helps|answers))\b|😤|🙄|😩|😫|🤦/g,
  ],
  [
    'disappointment',
    /\b(?:disappoint\w*|let ?down|let me down|letdown|expected (?:more|better)|expecting (?:more|better)|not what i expected|not as (?:good|described|expected)|underwhelm\w*|unfortunately|sadly|shame|pity|wanted to love|wanted to like|had high hopes|hoped for|mediocre|meh|not worth|regret\w*|sad|unhappy|dissatisf\w*|not happy|not impressed)\b|😞|😔|😢|😕|🙁|☹|💔/g,
  ],
  [
    'confusion',
    /\b(?:confus\w*|unclear|not clear|don't understand|do not understand|didn't understand|can't understand|cannot understand|makes no sense|make sense of|no idea (?:how|why|what|where)|not sure (?:how|why|what|where|if|whether)|i'm lost|puzzl\w*|baffl\w*|which one|how do i|how can i|where do i|where can i|why is|why does|why did|why was|what does .{0,20} mean|what happened|contradict\w*|conflicting)\b|🤔|😕/g,
  ],
  [
    'joy',
    /\b(?:happy|happier|happiest|glad|delighted|thrilled|love|loved|loving|lovely|awesome|amazing|fantastic|wonderful|excellent|great|perfect|brilliant|superb|excited|exciting|enjoy\w*|pleased|yay|woo+|best|beautiful|gorgeous|fabulous|outstanding|impressed|fun)\b|😀|😃|😄|😁|😊|🥰|😍|🤩|🎉|🥳|❤|💕|:\)|:-\)|:d\b/g,
  ],
  [
    'gratitude',
    /\b(?:thank\w*|thanx|thx|ty|grateful|gratitude|appreciat\w*|cheers|kudos|shout ?out|much obliged|bless you)\b|🙏/g,
  ],
  [
    'trust',
    /\b(?:trust\w*|reliable|reliably|dependable|depend on|count on|rely on|always (?:good|great|reliable|delivers|helpful|on time)|never (?:let me down|disappoints|fails)|loyal|loyalty|years? (?:customer|client)|been a customer for|recommend\w*|safe hands|peace of mind|confiden\w*|honest|transparent|consistent\w*)\b/g,
  ],
  [
    'surprise',
    /\b(?:surpris\w*|wow+|whoa|omg|oh my god|can't believe|cannot believe|couldn't believe|unbelievable|unexpected\w*|shock\w*|stunned|astonish\w*|amazed|blown away|out of nowhere|no warning|didn't expect|did not expect|never expected)\b|😮|😲|😱|😯|🤯/g,
  ],
];

const EFFORT_CUES: [RegExp, number][] = [
  // Repeated contact.
  [
    /\b(?:(?:called|phoned|emailed|contacted|chatted|messaged|rang|written|wrote|tried)\s+(?:you\s+|them\s+|us\s+)?(?:\w+\s+)?(?:again|twice|three times|four times|five times|\d+ times|multiple times|several times|many times|numerous times|countless times|repeatedly|so many times))\b/g,
    0.45,
  ],
  [
    /\b(?:(?:second|third|fourth|fifth|2nd|3rd|4th|5th|\d+th) time|(?:\w+ )?times now|again and again|over and over|keep (?:calling|emailing|chasing|asking|contacting)|kept (?:calling|emailing|chasing|asking|contacting)|chas(?:e|ed|ing)|follow(?:ed|ing)? up (?:again|multiple|several)|already (?:told|explained|called|sent|provided|gave)|repeat(?:ed|ing)? (?:myself|my)|explain(?:ed)? (?:it )?(?:again|over)|start(?:ed)? (?:all )?over)\b/g,
    0.4,
  ],
  // Transfers.
  [
    /\b(?:transferr?ed|passed (?:around|from|between|on)|bounced (?:around|between)|handed (?:off|over|around)|sent (?:me )?(?:from one|back and forth)|back and forth|runaround|run around|different (?:department|person|agent)s?|another department|wrong department|nobody (?:knew|knows) who)\b/g,
    0.4,
  ],
  // Waiting.
  [
    /\b(?:on hold|hold (?:for|music)|held (?:for|on hold)|in (?:the|a) queue|queued|still waiting|been waiting|waited|waiting (?:for|since|over)|(?:\d+|an?|two|three|several|many|few) (?:\w+ )?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?) (?:on hold|waiting|later|and still|to get|before)|took (?:forever|ages|hours|days|weeks)|takes (?:forever|ages)|no (?:response|reply|answer|one (?:got back|answered|called|replied))|never (?:got back|heard back|called back|replied|responded|answered)|nobody (?:got back|answered|called|replied))\b/g,
    0.35,
  ],
  // General difficulty.
  [
    /\b(?:hard to|difficult to|impossible to|struggl\w+|had to (?:call|go|email|visit|ask|chase|explain|wait|drive|pay|fill)|jump through hoops|hoops|so much effort|a lot of effort|too many steps|complicated|hassle|nightmare|painful|tedious|exhausting|time-consuming|time consuming|finally (?:got|someone|resolved|sorted))\b/g,
    0.25,
  ],
];
const LOW_EFFORT =
  /\b(?:easy|easily|effortless\w*|hassle[- ]free|quick(?:ly)?|fast|simple|straightforward|seamless\w*|smooth(?:ly)?|first (?:call|time|contact)|one call|in (?:no time|minutes)|right away|straight away|immediately|instantly|painless)\b/g;

const CHURN =
  /\b(?:(?:i'm|i am|im|we're|we are|i will be|we will be|going to be|gonna be|about to be|will be)\s+(?:cancel+ing|cancel+ling|leaving|switching|closing|moving|terminating|ending|done with)|(?:i'll|i will|we'll|we will|going to|gonna|want to|wants to|would like to|i'd like to|need to|plan to|planning to|about to|decided to|have decided to)\s+(?:\w+\s+)?(?:leave (?:you|your|this|the company)|switch (?:to|provider|bank|supplier|compan)|close (?:my|our|the) account|terminate (?:my|our|the) (?:contract|account|service)|take my business|quit (?:your|this)|stop using (?:you|your|this)|go (?:somewhere|elsewhere|with another|to another|to a competitor))|switch(?:ing|ed)? (?:to|over to|providers|companies|banks|suppliers)|mov(?:e|ing) (?:to|over to) (?:another|a different|a competitor|\w+ instead)|take (?:my|our) business elsewhere|taking (?:my|our) business elsewhere|go(?:ing)? elsewhere|shop(?:ping)? elsewhere|find another (?:provider|company|bank|supplier|store)|look(?:ing)? for (?:another|a new|a different) (?:provider|company|bank|supplier|service)|close (?:my|our) account|closing (?:my|our) account|cancel (?:my|our) (?:account|subscription|membership|contract|service|plan|policy)|cancel+ing (?:my|our) (?:account|subscription|membership|contract|service|plan|policy)|won't be renewing|will not (?:be )?renew(?:ing)?|not (?:going to )?renew(?:ing)?|never (?:again|buy(?:ing)? (?:from|here)|order(?:ing)? (?:from|again)|use (?:you|them|this)|shop(?:ping)? (?:here|there|with)|com(?:e|ing) back|be back)|last time i (?:buy|order|use|shop|fly|stay)|lost (?:a|my|our) (?:customer|business)|you(?:'ve)? lost (?:a|me as a) customer|done with (?:you|this company|your)|(?:i'm|im|i am) done|ex-customer|former customer)\b/g;

const URGENT =
  /\b(?:urgent\w*|asap|a\.s\.a\.p|immediately|right now|emergency|as soon as possible|time[- ]sensitive|critical|lawyer|attorney|solicitor|legal action|sue|suing|lawsuit|court|small claims|ombudsman|regulator|trading standards|bbb|police|report (?:you|this) to|fraud\w*|scam(?:med)?|stolen|theft|unauthori[sz]ed|hacked|compromised|identity theft|data breach|charged twice|double charged|money (?:is )?(?:gone|missing|taken)|overdrawn|can't pay (?:rent|bills)|danger\w*|unsafe|safety|hazard\w*|fire|smoke|burn(?:ed|t)?|injur\w*|hurt|hospital|allergic reaction|food poisoning|poison\w*|sick from|choking|electric shock|exploded|explosion|gas leak|leaking gas|medical|medication|life[- ]threatening|deadline (?:is )?today|by (?:today|tomorrow|tonight)|no (?:heat|heating|water|power|electricity))\b/g;

function count(re: RegExp, s: string, negatable: boolean): number {
  re.lastIndex = 0;
  let n = 0;
  let m: RegExpExecArray | null = re.exec(s);
  while (m !== null) {
    if (!negatable || !NEG_BEFORE.test(s.slice(Math.max(0, m.index - 24), m.index))) n++;
    m = re.exec(s);
  }
  return n;
}

export interface Signals {
  emotions: Emotion[];
  effort: number;
  churnThreat: boolean;
  urgent: boolean;
}

export function normaliseForRules(text: string): string {
  const s = text.toLowerCase();
  return s.includes('’') || s.includes('‘') ? s.replace(/[’‘]/g, "'") : s;
}

/** Emotions present in a text (rule-based, order of EMOTIONS). */
export function detectEmotions(text: string, d?: SentimentDetail): Emotion[] {
  return emotionsOf(normaliseForRules(text), d);
}

/** Every signal of a text with one normalisation pass (what analyzeText uses). */
export function detectSignals(text: string, d?: SentimentDetail): Signals {
  const s = normaliseForRules(text);
  return { emotions: emotionsOf(s, d), effort: effortOf(s), churnThreat: churnOf(s), urgent: urgentOf(s) };
}

function emotionsOf(s: string, d?: SentimentDetail): Emotion[] {
  const out: Emotion[] = [];
  for (const [emotion, re] of EMOTION_CUES) {
    let n = count(re, s, emotion !== 'confusion');
    // Shouting or a pile of '!' on a negative text reads as anger.
    if (emotion === 'anger' && n === 0 && d && d.score < -0.4) {
      let caps = 0;
      let bangs = 0;
      for (const t of d.tokens) {
        if (t.kind === TokenKind.Word && t.text.length > 2 && t.text === t.text.toUpperCase() && /[A-Z]/.test(t.text))
          caps++;
        if (t.kind === TokenKind.Punct && t.text.includes('!')) bangs += t.text.length;
      }
      if (caps >= 2 || bangs >= 3) n = 1;
    }
    // Joy needs the text to be positive overall ("great, just great" on a negative text is not joy).
    if (emotion === 'joy' && d && d.score < 0.05) n = 0;
    if (n > 0) out.push(emotion);
  }
  return out;
}

/** 0..1: how hard the customer had to work (repeat contact, transfers, waiting, hoops). */
export function scoreEffort(text: string): number {
  return effortOf(normaliseForRules(text));
}

function effortOf(s: string): number {
  let e = 0;
  for (const [re, w] of EFFORT_CUES) e += Math.min(2, count(re, s, false)) * w;
  if (e === 0) return 0;
  // "it was quick and easy" takes some of it back, but not all.
  const low = count(LOW_EFFORT, s, true);
  e -= low * 0.1;
  return Math.max(0, Math.min(1, Math.round(e * 100) / 100));
}

/** The customer threatens to leave ("I'm cancelling", "switching to …", "never again"). */
export function detectChurnThreat(text: string): boolean {
  return churnOf(normaliseForRules(text));
}

function churnOf(s: string): boolean {
  CHURN.lastIndex = 0;
  let m: RegExpExecArray | null = CHURN.exec(s);
  while (m !== null) {
    const pre = s.slice(Math.max(0, m.index - 30), m.index);
    // "how do I cancel my order?" and "if I cancel" are questions, not threats; "not cancelling" is not one.
    if (
      !/\b(?:how (?:do|can|to)|can i|if (?:i|we)|whether|not|don't|didn't|never|without)\s+(?:\w+\s+){0,2}$/.test(pre)
    )
      return true;
    m = CHURN.exec(s);
  }
  return false;
}

/** Needs a fast answer: safety, legal threats, money lost, explicit urgency. */
export function detectUrgency(text: string): boolean {
  return urgentOf(normaliseForRules(text));
}

function urgentOf(s: string): boolean {
  return count(URGENT, s, true) > 0;
}
