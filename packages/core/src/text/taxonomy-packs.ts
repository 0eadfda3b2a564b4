import { taxonomyTopic } from './taxonomy.js';
import type { TaxonomyTopic } from './types.js';

/**
 * Industry packs: topics an org adds to its taxonomy in one step when its customers talk about
 * things the default (general CX, hospitality, banking) has no topics for — a telecom's coverage
 * and outages, an insurer's claims, an airline's baggage. Each pack is one subtree under its own
 * top-level key, so it never changes what the default topics find; its phrases are chosen not to
 * repeat a default phrase (a test checks), and ambiguous words are `~` qualifiers that count only
 * beside another mention of the pack's topics ("~abroad" is roaming only in "data abroad costs …").
 */
export interface TaxonomyPack {
  /** Stable id, also the top-level topic key of its subtree. */
  id: string;
  label: string;
  /** Who it is for, in a sentence. */
  description: string;
  topics: TaxonomyTopic[];
}

const t = taxonomyTopic;

const TELECOM: TaxonomyPack = {
  id: 'telecom',
  label: 'Telecom and internet',
  description:
    'Mobile networks, broadband, TV and phone lines: coverage, speed, outages, equipment, installs, roaming.',
  topics: [
    t(
      'telecom',
      'Telecom and internet',
      'product',
      'product',
      'mobile network|phone network|broadband|fibre broadband|fiber internet|home internet|internet provider|isp|' +
        'phone line|landline|~network|~internet|~wifi|~wi-fi|~mobile data|~data',
    ),
    t(
      'telecom.coverage',
      'Coverage and signal',
      'product',
      'product',
      'no signal|poor signal|weak signal|bad signal|lost signal|losing signal|signal drops|signal strength|' +
        'no coverage|poor coverage|bad coverage|network coverage|mobile coverage|reception|no reception|poor reception|' +
        'bad reception|dead zone|dead spot|not spot|one bar of signal|no bars of signal|bars of signal|dropped call|dropped calls|calls drop|call drops|' +
        'calls keep dropping|calls dropping|call dropped|~signal|~coverage',
    ),
    t(
      'telecom.speed',
      'Internet speed',
      'product',
      'product',
      'slow internet|internet is slow|internet speed|internet speeds|broadband speed|broadband speeds|download speed|' +
        'download speeds|upload speed|upload speeds|speed test|speedtest|mbps|megabits|buffering|latency|high ping|' +
        'slow data|data speed|data speeds|throttled|throttling',
    ),
    t(
      'telecom.outage',
      'Outages and dropouts',
      'product',
      'product',
      'outage|outages|internet down|internet is down|internet went down|broadband down|network down|network is down|' +
        'no internet|no connection|lost connection|connection drops|connection keeps dropping|keeps disconnecting|' +
        'keeps dropping out|disconnects|disconnecting|intermittent connection|unstable connection|no service|' +
        'service outage|~down|~disconnected',
    ),
    t(
      'telecom.equipment',
      'Router, SIM and devices',
      'physical_evidence',
      'delivery',
      'router|routers|modem|modems|wifi hub|broadband hub|set-top box|set top box|tv box|sim card|sim cards|sim|esim|' +
        'e-sim|handset|handsets|phone upgrade|handset upgrade|unlock code|unlock my phone|network locked|~hub',
    ),
    t(
      'telecom.installation',
      'Installation and engineer visits',
      'process',
      'delivery',
      'engineer visit|engineer appointment|engineer never came|engineer did not turn up|engineer didn’t turn up|' +
        "engineer didn't turn up|technician visit|technician appointment|installation date|install date|installer|" +
        'go-live date|line activation|activate my line|connection date|broadband engineer|installation engineer|' +
        'openreach engineer|~installation|~install',
    ),
    t(
      'telecom.roaming',
      'Roaming and international',
      'price',
      'billing',
      'roaming|roaming charges|data roaming|international calls|calling abroad|international rates|~abroad|~overseas',
    ),
    t(
      'telecom.usage',
      'Data allowance and usage charges',
      'price',
      'billing',
      'data allowance|data cap|out of data|ran out of data|run out of data|data usage|extra data|data add-on|' +
        'overage|overage charges|out of bundle|out-of-bundle|bill shock|excess usage|premium rate|premium numbers|' +
        'call minutes|unlimited data|~allowance|~usage',
    ),
    t(
      'telecom.porting',
      'Number porting and switching',
      'process',
      'service',
      'port my number|number porting|porting my number|porting request|number port|pac code|stac code|keep my number|transfer my number|moving my number',
    ),
  ],
};

const INSURANCE: TaxonomyPack = {
  id: 'insurance',
  label: 'Insurance',
  description: 'Motor, home, travel, pet and health insurers: claims, premiums and renewals, what is covered, repairs.',
  topics: [
    t(
      'insurance',
      'Insurance',
      'product',
      'product',
      'insurance|insurer|insurers|insurance company|insurance policy|policyholder|underwriter|underwriting|' +
        'car insurance|home insurance|travel insurance|pet insurance|health insurance|life insurance|~insured',
    ),
    t(
      'insurance.claims',
      'Claims',
      'process',
      'service',
      'claim|claims|claimed|claiming|claim form|claims process|file a claim|filed a claim|make a claim|made a claim|' +
        'claim handler|claims handler|claims team|claim number|loss adjuster|adjuster|assessor|payout|pay out|paid out|' +
        'claim rejected|claim denied|claim declined|rejected my claim|denied my claim|declined my claim|settle my claim|' +
        'settled my claim|claim settled|~settlement|~settled',
    ),
    t(
      'insurance.premium',
      'Premiums and renewal quotes',
      'price',
      'sales',
      'premium|premiums|renewal quote|renewal price|renewal premium|my quote|a quote|quoted|re-quote|excess|deductible|' +
        'no claims bonus|no claims discount|no-claims|loyalty penalty|price walking|~quote',
    ),
    t(
      'insurance.cover',
      'Cover and exclusions',
      'product',
      'product',
      'cover|covered|not covered|what is covered|cover level|level of cover|fully comprehensive|third party|' +
        'exclusion|exclusions|excluded|policy wording|policy documents|policy document|' +
        'pre-existing|pre existing condition|underinsured|under-insured|~coverage',
    ),
    t(
      'insurance.repairs',
      'Repairs and replacements',
      'process',
      'delivery',
      'repairer|approved repairer|body shop|courtesy car|hire car|replacement car|rental car|contractor|tradesman|' +
        'loss assessor|written off|write off|write-off|total loss|replacement vehicle|~repair|~repairs|~repaired|~garage',
    ),
  ],
};

const TRAVEL: TaxonomyPack = {
  id: 'travel',
  label: 'Travel',
  description: 'Airlines, tour operators, travel agents and hotels: flights, disruption, baggage, bookings, stays.',
  topics: [
    t(
      'travel',
      'Travel',
      'product',
      'product',
      'trip|trips|holiday|holidays|vacation|vacations|getaway|tour operator|travel agent|package holiday|~travel|' +
        '~travelling|~traveling',
    ),
    t(
      'travel.flights',
      'Flights and cabin',
      'product',
      'product',
      'flight|flights|airline|airlines|airplane|aeroplane|aircraft|boarding pass|boarding gate|boarding time|priority boarding|' +
        'departure gate|layover|connecting flight|' +
        'legroom|leg room|cabin crew|flight attendant|flight attendants|in-flight|inflight|pilot|seat allocation|' +
        'seat selection|window seat|aisle seat|middle seat',
    ),
    t(
      'travel.disruption',
      'Delays and cancellations',
      'process',
      'service',
      'flight delayed|flight was delayed|delayed flight|flight delay|flight cancelled|flight canceled|' +
        'flight was cancelled|cancelled flight|canceled flight|missed connection|missed my connection|rebooked|' +
        'rebooking|diverted|stranded|stuck at the airport|overbooked|bumped off|denied boarding',
    ),
    t(
      'travel.baggage',
      'Baggage',
      'process',
      'delivery',
      'baggage|luggage|suitcase|suitcases|checked bag|checked bags|hold bag|carry-on|carry on bag|hand luggage|' +
        'cabin bag|lost bag|lost bags|bag fee|bag fees|baggage fee|baggage allowance|baggage claim|baggage reclaim|' +
        'overweight bag|my bag|my bags|our bags',
    ),
    t(
      'travel.booking',
      'Bookings and changes',
      'process',
      'sales',
      'booking reference|booking number|change my booking|change my flight|change fee|name change|itinerary|' +
        'e-ticket|eticket|boarding card|airfare|airfares|air fare|fare class|train fare|bus fare|plane ticket|plane tickets|' +
        'flight ticket|flight tickets|train ticket|train tickets|my ticket|our tickets',
    ),
    t(
      'travel.airport',
      'Airport and check-in',
      'place',
      'service',
      'airport|airports|terminal|online check-in|check-in desk|check in desk|bag drop|security queue|security line|' +
        'passport control|immigration|airport lounge|departure lounge|business lounge|~check-in|~check in|~security',
    ),
    t(
      'travel.stay',
      'Hotel and accommodation',
      'physical_evidence',
      'product',
      'hotel room|hotel rooms|resort|accommodation|hostel|apartment rental|check-out time|late check-out|late checkout|' +
        'housekeeping|room service|hotel room|our room|the room|twin room|double room|sea view|pool|swimming pool|' +
        'my room|air conditioning|aircon|~bed|~beds',
    ),
    t(
      'travel.compensation',
      'Compensation and travel credit',
      'price',
      'billing',
      'compensation|eu261|uk261|delay compensation|travel credit|travel voucher|flight voucher|future travel credit|' +
        'credit voucher|refund voucher|compensation claim',
    ),
  ],
};

const SOFTWARE: TaxonomyPack = {
  id: 'software',
  label: 'Software and SaaS',
  description:
    'Apps, platforms and subscriptions sold to businesses or consumers: reliability, speed, onboarding, security, licences.',
  topics: [
    t('software', 'Software', 'product', 'product', 'software|saas|web app|desktop app|the tool|this tool|~workspace'),
    t(
      'software.reliability',
      'Reliability and downtime',
      'product',
      'product',
      'downtime|uptime|server down|website down|website is down|website was down|app is down|service is down|502|503|504|500 error|internal server error|' +
        "timed out|timeout|timeouts|not syncing|won’t sync|won't sync|sync issues|syncing issues|data loss|" +
        'lost my data|lost all my data|status page|~sync|~syncing|~outage|~outages',
    ),
    t(
      'software.performance',
      'Speed and performance',
      'product',
      'product',
      'loading time|loading times|load time|load times|takes forever to load|sluggish|spinning wheel|unresponsive|' +
        'memory usage|~lag|~lags',
    ),
    t(
      'software.onboarding',
      'Onboarding and documentation',
      'process',
      'service',
      'onboarding|getting started|learning curve|steep learning curve|tutorial|tutorials|walkthrough|documentation|' +
        'docs|knowledge base|help articles|implementation|migration|migrating|import my data|data import|~setup|~set up',
    ),
    t(
      'software.security',
      'Security and privacy',
      'product',
      'product',
      'data breach|breach|security issue|security flaw|vulnerability|mfa|sso|' +
        'single sign-on|single sign on|permissions|access rights|gdpr|data privacy|privacy policy|encryption|~security|' +
        '~privacy',
    ),
    t(
      'software.licensing',
      'Licences, seats and plan limits',
      'price',
      'sales',
      'license|licence|licenses|licences|licensing|per seat|per user|user seats|pricing tier|pricing tiers|' +
        'plan limits|usage limits|usage limit|quota|upgrade to pro|pro plan|enterprise plan|free tier|free plan|~tier|' +
        '~tiers',
    ),
    t(
      'software.api',
      'API and developers',
      'product',
      'product',
      'api|apis|webhook|webhooks|sdk|endpoint|endpoints|rate limit|rate limits|api key|api docs|developer docs|~developer|' +
        '~developers',
    ),
  ],
};

const UTILITIES: TaxonomyPack = {
  id: 'utilities',
  label: 'Energy and water',
  description:
    'Electricity, gas and water suppliers: supply and outages, meters and readings, tariffs, bills on estimates.',
  topics: [
    t(
      'utilities',
      'Energy and water',
      'product',
      'product',
      'energy supplier|electricity supplier|gas supplier|water company|utility company|utilities|electricity|' +
        'water supply|water bill|~energy|~gas|~power',
    ),
    t(
      'utilities.supply',
      'Supply and power cuts',
      'product',
      'product',
      'power cut|power cuts|power outage|blackout|no power|no electricity|no gas|no hot water|no water|low pressure|' +
        'water pressure|burst pipe|burst main|supply interruption|~supply|~outage',
    ),
    t(
      'utilities.meters',
      'Meters and readings',
      'process',
      'billing',
      'meter|meters|smart meter|smart meters|prepayment meter|meter reading|meter readings|submit a reading|' +
        'readings|estimated reading|estimated readings|estimated bill|estimated bills|in-home display|~reading',
    ),
    t(
      'utilities.tariffs',
      'Tariffs and unit rates',
      'price',
      'sales',
      'tariff|tariffs|fixed tariff|variable tariff|standing charge|standing charges|unit rate|unit rates|price cap|' +
        'kwh|per kwh|energy price|energy prices|green tariff|~rate|~rates',
    ),
    t(
      'utilities.account',
      'Direct debits and balances',
      'process',
      'billing',
      'direct debit amount|monthly direct debit|payment plan|in credit|in debit|credit balance|' +
        'debt|arrears|final bill|back billing|back-billing|~balance',
    ),
  ],
};

/** The industry packs, in the order the dashboard offers them. */
export const TAXONOMY_PACKS: readonly TaxonomyPack[] = [TELECOM, INSURANCE, TRAVEL, SOFTWARE, UTILITIES];

/**
 * The pack's topics that `keys` (an org's taxonomy) lacks, in the pack's order: what adding it
 * would add. An org that already has some (added before, or its own under the same key) keeps its
 * own; a topic whose parent is neither in the pack's additions nor in `keys` is not added.
 */
export function packAdditions(pack: TaxonomyPack, keys: Iterable<string>): TaxonomyTopic[] {
  const have = new Set(keys);
  const out: TaxonomyTopic[] = [];
  for (const topic of pack.topics) {
    if (have.has(topic.key)) continue;
    if (topic.parent && !have.has(topic.parent)) continue;
    out.push(topic);
    have.add(topic.key);
  }
  return out;
}
