import type { DepartmentKey, SevenP } from '../domain.js';
import type { Taxonomy, TaxonomyTopic } from './types.js';

/** A topic key's shape: lower-case words separated by dots ("delivery.late"). */
export const TOPIC_KEY_RE = /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)*$/;

/**
 * A topic from its phrases written 'a|b|~c' (the default taxonomy's and the industry packs' way);
 * its parent is the key's prefix unless given.
 */
export function taxonomyTopic(
  key: string,
  label: string,
  sevenP: SevenP,
  department: DepartmentKey,
  phrases: string,
  parent: string | null = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : null,
): TaxonomyTopic {
  return {
    key,
    label,
    parent,
    sevenP,
    department,
    phrases: phrases
      .split('|')
      .map((p) => p.trim())
      .filter(Boolean),
  };
}

const t = taxonomyTopic;

const FOOD_WORDS =
  'food|foods|meal|meals|dish|dishes|cuisine|taste|tastes|tasted|tasting|flavor|flavors|flavour|flavours|flavorful|' +
  'tasty|delicious|yummy|bland|portion|portions|entree|entrees|entrée|appetizer|appetizers|starter|starters|main course|' +
  'dessert|desserts|pizza|pizzas|pasta|sushi|sashimi|roll|rolls|burger|burgers|fries|steak|steaks|chicken|beef|pork|lamb|' +
  'duck|fish|salmon|tuna|shrimp|prawns|lobster|crab|oysters|scallops|seafood|salad|salads|soup|soups|bread|rice|noodles|' +
  'ramen|pho|curry|tacos|taco|burrito|dumplings|dim sum|sandwich|sandwiches|bagel|bagels|cheese|sauce|sauces|meat|' +
  'veggies|vegetables|vegetarian|vegan|cake|cakes|pie|ice cream|gelato|chocolate|tiramisu|brunch|breakfast|lunch|dinner|' +
  'eggs|bacon|pancakes|waffles|crust|toppings|spicy|fresh|cooked|overcooked|undercooked|chef|kitchen|cooking|' +
  'dessert menu|special|specials|omakase|tapas|paella|kebab|falafel|hummus|gnocchi|risotto|lasagna|ravioli|calamari|' +
  'mussels|clams|wings|ribs|brisket|bbq|fried|grilled|baked|seasoned|salty|sweet|sour|greasy|soggy|crispy|tender|juicy|' +
  'dry|raw|stale|edible|inedible|appetite|plate|plates|course|courses|side dish|side dishes|entree';

/**
 * Canopy's default customer-experience taxonomy: a tree of topics, each mapped to a 7P experience
 * dimension and an owning department. Phrases are lower-case and matched on token boundaries after
 * light stemming (so "deliveries", "delivered", "delivering" all match "delivery"/"deliver").
 * Orgs copy and edit this; keys are stable identifiers.
 */
export const DEFAULT_TAXONOMY: Taxonomy = {
  version: 'canopy-default-3',
  topics: [
    // Product (product team).
    t('product', 'Product', 'product', 'product', 'product|products|item|items|goods|merchandise'),
    t(
      'product.quality',
      'Product quality',
      'product',
      'product',
      'quality|well made|poorly made|badly made|cheaply made|build quality|craftsmanship|material|materials|fabric|' +
        "durable|durability|sturdy|flimsy|cheap material|cheap fabric|last long|lasted long|didn't last|did not last|doesn't last|does not last|long lasting|long-lasting|wears out|wore out|holes|thin|" +
        'soft|comfortable|uncomfortable|itchy|scratchy|see through|sheer|~lining|stitching|seams|pilling|shrank|shrunk|' +
        'faded|color|colour|colors|colours|pattern|print|design|~looks|~look|style|quality control',
    ),
    t(
      'product.defect',
      'Product defect',
      'product',
      'product',
      "defect|defects|defective|faulty|broken|broke|breaks|stopped working|not working|doesn’t work|doesn't work|" +
        "didn't work|does not work|malfunction|malfunctioning|crash|crashes|crashed|bug|bugs|buggy|glitch|glitches|" +
        'error message|leak|leaks|leaking|cracked|crack|torn|ripped|hole in|missing parts|dead on arrival|doa|' +
        "overheating|overheats|battery dies|wont turn on|won’t turn on|won't turn on|fell apart|falls apart|came apart|" +
        'rusted|rust|recall|unsafe|hazard',
    ),
    t(
      'product.features',
      'Product features',
      'product',
      'product',
      'feature|features|functionality|~function|~functions|~option|~options|~setting|~settings|integration|integrations|' +
        'compatible|compatibility|~update|~updates|upgrade|~version|new version|missing feature|feature request|' +
        'would be nice|wish it had|add the ability|capability|capabilities|~performance|~speed|battery|battery life|' +
        'storage|camera|screen|display|size options|pockets|customization|customisation',
    ),
    t(
      'product.fit',
      'Size and fit',
      'product',
      'product',
      'fit|fits|fitting|fitted|size|sizes|sizing|runs small|runs large|runs big|true to size|too small|too big|' +
        'too large|too tight|too short|too long|length|petite|waist|bust|hips|shoulders|sleeves|tight|loose|snug|' +
        'baggy|boxy|oversized|tts',
    ),
    t(
      'product.availability',
      'Availability and stock',
      'product',
      'sales',
      'out of stock|sold out|back in stock|in stock|availability|unavailable|not available|backorder|back order|' +
        'discontinued|restock|restocked',
    ),
    // Price (sales) and billing.
    t('price', 'Price', 'price', 'sales', 'price|prices|pricing|priced|cost|costs|costly|charge'),
    t(
      'price.level',
      'Pricing and fees',
      'price',
      'sales',
      'expensive|pricey|overpriced|over priced|cheap|cheaper|inexpensive|affordable|reasonably priced|reasonable price|' +
        'fee|fees|surcharge|hidden fee|hidden fees|hidden charges|service charge|price increase|price hike|' +
        'raised the price|raised prices|subscription fee|monthly fee|membership fee|delivery fee|shipping cost|' +
        'shipping costs|shipping fee|commission|exchange rate|exchange rates|currency exchange|foreign exchange|conversion rate|markup|mark up|$|bucks|dollars|pounds|euros',
    ),
    t(
      'price.value',
      'Value for money',
      'price',
      'sales',
      'value|value for money|good value|great value|poor value|worth|worth it|worth the money|worth every penny|' +
        'not worth|bang for your buck|bang for the buck|money well spent|waste of money|rip off|ripoff|rip-off|' +
        'for the price|for what you pay|for what you get|bargain|deal|steal',
    ),
    t(
      'price.promotions',
      'Discounts and promotions',
      'promotion',
      'marketing',
      'discount|discounts|coupon|coupons|promo|promo code|promotion|promotions|voucher|vouchers|sale price|on sale|' +
        'loyalty points|~points|rewards|cashback|cash back|~offer|~offers|deal|deals|happy hour|gift card',
    ),
    t('billing', 'Billing', 'price', 'billing', 'bill|bills|billing|billed|invoice|invoices|statement|account balance'),
    t(
      'billing.error',
      'Billing error',
      'price',
      'billing',
      'overcharged|over charged|overcharge|charged twice|double charged|double charge|charged me twice|wrong amount|' +
        'incorrect amount|incorrect charge|wrong charge|billing error|billing mistake|billing issue|unexpected charge|' +
        'charged for something|unauthorized charge|unauthorised charge|still charged|still being charged|charged again|' +
        'charged after|extra charge|extra charges|duplicate charge|incorrect bill|wrong bill|pricing error',
    ),
    t(
      'billing.payment',
      'Payment issue',
      'process',
      'billing',
      'payment|payments|pay|paid|paying|card declined|declined|card was declined|transaction failed|payment failed|' +
        'failed payment|checkout|check out|credit card|debit card|paypal|apple pay|google pay|direct debit|bank transfer|' +
        'top up|pending payment|payment pending|installments|instalments|klarna|afterpay|pending transaction',
    ),
    t(
      'returns',
      'Returns and refunds',
      'process',
      'service',
      'return|returns|returned|returning|send back|sent back|sending back|send it back|exchange|exchanged',
    ),
    t(
      'returns.refund',
      'Refund and return policy',
      'process',
      'billing',
      'refund|refunds|refunded|refunding|money back|reimburse|reimbursed|reimbursement|return policy|refund policy|' +
        'return label|restocking fee|store credit|chargeback|charge back|full refund|partial refund|no refund',
    ),
    // Delivery.
    t(
      'delivery',
      'Delivery',
      'place',
      'delivery',
      'delivery|deliveries|deliver|delivered|shipping|shipped|ship|shipment|courier|driver|parcel|package|packages|' +
        'dispatch|dispatched|postage|~post|~mail|ups|fedex|dhl|usps|royal mail|hermes|evri|tracking|tracking number|' +
        'track my order|arrive|arrived|arrival|~order',
    ),
    t(
      'delivery.late',
      // Late and on time alike: the mention's sentiment says which ("arrived on time" is positive).
      'Delivery time',
      'place',
      'delivery',
      'late|delayed|delay|delays|late delivery|arrived late|took weeks|took ages|still waiting for my order|' +
        "still not arrived|not arrived yet|hasn’t arrived|hasn't arrived|has not arrived|never arrived|" +
        'running late|behind schedule|missed delivery|missed the delivery|slow delivery|slow shipping|took forever to arrive|' +
        'estimated delivery|expected delivery|delivery date|days late|weeks late|on time|arrived early|fast delivery|' +
        'quick delivery|fast shipping|quick shipping|arrived quickly|arrived promptly',
    ),
    t(
      'delivery.damaged',
      'Damaged in delivery',
      'place',
      'delivery',
      'arrived damaged|damaged|damage|crushed|smashed|dented|broken on arrival|arrived broken|box was damaged|' +
        'box was crushed|package was damaged|water damage|squashed|spilled|leaked in transit',
    ),
    t(
      'delivery.missing',
      'Missing or wrong delivery',
      'place',
      'delivery',
      "missing|never received|not received|didn’t receive|didn't receive|did not receive|lost parcel|lost package|" +
        'lost in the post|lost in transit|~stolen|wrong item|wrong items|wrong order|wrong address|wrong size sent|' +
        'missing item|missing items|item missing|incomplete order|part of my order|left at the wrong|delivered to the wrong|' +
        'marked as delivered|says delivered|said delivered|not delivered|never delivered',
    ),
    // Digital channels.
    t(
      'digital',
      'Website and app',
      'place',
      'product',
      'website|site|web site|app|apps|application|online|portal|platform|web page|webpage|mobile app|dashboard|interface',
    ),
    t(
      'digital.usability',
      'Website/app usability',
      'place',
      'product',
      'easy to use|hard to use|difficult to use|user friendly|user-friendly|confusing|intuitive|unintuitive|navigate|' +
        'navigation|clunky|slow to load|loading|loads slowly|crashes|crashing|freezes|frozen|laggy|ui|ux|layout|menu|' +
        "search function|search bar|checkout process|can’t find|can't find|cannot find|couldn't find|hard to find|" +
        'error page|page not found|broken link|glitchy|buggy|responsive|not responsive',
    ),
    t(
      'digital.login',
      'Login and account',
      'process',
      'product',
      'login|log in|logged in|logging in|log on|sign in|signed in|signing in|sign up|signup|password|passwords|' +
        'reset password|password reset|forgot password|locked out|account locked|locked account|verification code|' +
        'verification|verify|two factor|2fa|otp|one time code|username|user name|my account|account access|access my account|' +
        'account suspended|account closed|deactivated|hacked|profile|email address change|create an account|create account|open an account|new account|registration|register|an account|personal information|personal details|user account|delete my account|close my account|account details|account settings|switch account|edit my account|update my account',
    ),
    // Service (people and process).
    t(
      'service',
      'Customer service',
      'people',
      'service',
      'service|customer service|customer support|support|help desk|helpdesk|call center|call centre|contact center|contact centre',
    ),
    t(
      'service.wait_time',
      'Wait time',
      'process',
      'service',
      'wait|waiting|waited|wait time|waiting time|on hold|hold time|held on hold|queue|queued|in the queue|' +
        'long wait|~minutes|~hours|~hour|took forever|takes forever|slow|slowly|slow service|slow response|response time|' +
        'no response|no reply|never got back|got back to me|get back to me|never heard back|still waiting|quick response|' +
        'quick reply|fast response|responded quickly|answered quickly|prompt|promptly|straight away|right away|' +
        'immediately|within minutes|in no time|took ages|~ages',
    ),
    t(
      'service.staff',
      'Staff',
      'people',
      'service',
      'staff|staffs|employee|employees|agent|agents|representative|rep|reps|advisor|adviser|associate|associates|' +
        'operator|consultant|team|crew|manager|managers|supervisor|cashier|clerk|salesperson|sales person|' +
        'salesman|saleswoman|technician|engineer|person on the phone|lady|guy|' +
        'waiter|waiters|waitress|waitresses|server|servers|bartender|bartenders|host|hostess|maitre d|sommelier|busboy|owner',
    ),
    t(
      'service.staff_attitude',
      'Staff attitude',
      'people',
      'service',
      'rude|rudely|rudeness|polite|politely|impolite|friendly|unfriendly|attitude|courteous|discourteous|respectful|' +
        'disrespectful|arrogant|condescending|dismissive|patronizing|patronising|~nice|~kind|helpful|unhelpful|' +
        'attentive|inattentive|~caring|~welcoming|~warm|~cold|hostile|aggressive|yelled|shouted|laughed at|hung up|' +
        'hung up on me|ignored|ignoring|~professional|unprofessional|~pleasant|~unpleasant|~lovely|~sweet|amazing staff|' +
        'accommodating|empathetic|sympathetic|apologetic|apologized|apologised|~smile|~smiling|went above and beyond|' +
        "above and beyond|extra mile|couldn't care less|did not care|didn't care|careless",
    ),
    t(
      'service.staff_knowledge',
      'Staff knowledge',
      'people',
      'service',
      "knowledgeable|knowledge|~knew what|~know what|didn’t know|didn't know|did not know|no idea|clueless|incompetent|" +
        'competent|~expert|~expertise|~experienced|inexperienced|~trained|untrained|~training|well trained|poorly trained|' +
        'wrong information|incorrect information|misinformed|misinformation|gave me wrong|conflicting information|' +
        '~explained|~explain|~explanation|~understood|understand my|answered my question|answered all my questions|' +
        "couldn't answer|could not answer|couldn’t answer|informative|~advice",
    ),
    t(
      'service.resolution',
      'Issue resolution',
      'process',
      'service',
      'resolved|resolve|resolution|unresolved|~solved|~solve|sorted|sorted it|sorted out|fixed|fix|fixed it|' +
        '~issue|~issues|~problem|~problems|complaint|complaints|complained|escalate|escalated|escalation|ticket|~case|' +
        'follow up|followed up|follow-up|callback|call back|called back|nobody called|no one called|~transferred|' +
        'transferred me|passed around|bounced around|runaround|run around|called again|called back again|' +
        'contacted again|~third time|~second time|~multiple times|~several times|~many times|~every time|keep calling|' +
        'kept calling|~repeat|~repeated|same problem|still not fixed|still not resolved|first contact|one call',
    ),
    t(
      'service.communication',
      'Communication and updates',
      'process',
      'service',
      'communication|communicate|communicated|update|updates|updated|kept informed|kept me informed|kept me updated|' +
        'notification|notifications|notified|email|emails|emailed|text message|sms|call|called|phone|phoned|chat|' +
        'live chat|chatbot|bot|message|messages|contact|contacted|reach|reached|respond|responded|reply|replied|' +
        'answer|answered|voicemail|contact us',
    ),
    // Marketing.
    t(
      'marketing',
      'Marketing',
      'promotion',
      'marketing',
      'marketing|advert|adverts|advertising|advertisement|ads|your ad|this ad|tv ad|online ad|radio ad|facebook ad|instagram ad|campaign|brand|newsletter|newsletters|newsletter subscription|subscribe to the newsletter|subscribe to your newsletter|subscribe to newsletter|subscribed to the newsletter|unsubscribe from the newsletter',
    ),
    t(
      'marketing.spam',
      'Spam and unwanted contact',
      'promotion',
      'marketing',
      'spam|spammed|spamming|junk mail|too many emails|so many emails|constant emails|unsubscribe|unsubscribed|' +
        'opt out|opted out|stop emailing|stop calling|stop texting|cold call|cold calls|marketing calls|marketing emails|' +
        'promotional emails|mailing list|telemarketing|nuisance calls',
    ),
    t(
      'marketing.misleading',
      'Misleading advertising',
      'promotion',
      'marketing',
      'misleading|mislead|misled|false advertising|false advert|bait and switch|not as described|not as advertised|' +
        'as advertised|as described|looks nothing like|nothing like the picture|nothing like the photo|not like the picture|' +
        'different from the picture|different than pictured|than pictured|the picture|the photo|pictures|photos|' +
        'description|deceptive|deceived|lied|lies|scam|scammed|fake|fake reviews|clickbait|small print|fine print',
    ),
    // Physical evidence.
    t(
      'physical',
      'Store and physical evidence',
      'physical_evidence',
      'sales',
      'store|stores|shop|shops|branch|branches|showroom|outlet|location|premises|building|counter|checkout line|' +
        'fitting room|fitting rooms|dressing room|parking|car park|signage|display|displays|shelves|aisle|aisles',
    ),
    t(
      'physical.packaging',
      'Packaging',
      'physical_evidence',
      'delivery',
      'packaging|packaged|packing|packed|box|boxes|wrapping|wrapped|bubble wrap|plastic|bag|envelope|unboxing|' +
        'gift wrap|gift wrapping|presentation|seal|sealed|tamper',
    ),
    t(
      'physical.cleanliness',
      'Cleanliness',
      'physical_evidence',
      'service',
      'clean|cleanliness|dirty|filthy|messy|mess|hygiene|hygienic|unhygienic|sticky|smell|smells|smelly|stink|stinks|' +
        'dust|dusty|bathroom|bathrooms|restroom|restrooms|toilet|toilets|cockroach|cockroaches|bugs|mice|rodent|rodents|vermin|hair in',
    ),
    // Contract.
    t(
      'contract',
      'Contract and subscription',
      'process',
      'sales',
      'contract|contracts|subscription|subscriptions|subscribe|subscribed|~plan|~plans|my plan|your plan|the plan|' +
        'current plan|new plan|monthly plan|annual plan|data plan|change my plan|upgrade my plan|downgrade|membership|policy|terms|' +
        'terms and conditions|agreement|renewal|renew|renewed|auto renew|auto-renew|auto renewal|trial|free trial',
    ),
    t(
      'contract.cancellation',
      'Cancellation',
      'process',
      'sales',
      'cancel|cancels|canceled|cancelled|canceling|cancelling|cancellation|cancellations|terminate|termination|' +
        'close my account|close the account|closing my account|end my contract|end the contract|early termination|' +
        'cancellation fee|exit fee|notice period|switching to|switch to|switch providers|leave|leaving',
    ),
    // Banking (financial services' own touchpoints: cards, transfers, cash, identity checks).
    t(
      'banking',
      'Banking',
      'product',
      'product',
      '~bank|~banking|bank account|current account|savings account|checking account|online banking|mobile banking|' +
        '~currency|~currencies|fiat|crypto|cryptocurrency',
    ),
    t(
      'banking.cards',
      'Cards',
      'product',
      'product',
      '~card|~cards|virtual card|physical card|disposable card|replacement card|new card|spare card|' +
        'contactless|pin|pin code|my pin|activate my card|card activation|card expired|card expires|expiry date|' +
        'card blocked|blocked card|frozen card|freeze my card|card not working|card swallowed|~visa|~mastercard',
    ),
    t(
      'banking.transfers',
      'Transfers',
      'process',
      'billing',
      'transfer|transfers|wire|wire transfer|send money|sent money|sending money|recipient|beneficiary|payee|' +
        'iban|sort code|swift|routing number|pending transfer|transfer failed|failed transfer',
    ),
    t(
      'banking.cash',
      'Cash and ATMs',
      'place',
      'service',
      'atm|atms|cash machine|cashpoint|cash withdrawal|withdraw|withdrew|withdrawal|withdrawals|withdrawing|' +
        'cash deposit|~deposit|~deposited|cheque|cheques',
    ),
    t(
      'banking.identity',
      'Identity checks',
      'process',
      'service',
      'verify my identity|identity verification|identity check|id check|proof of identity|proof of address|kyc|' +
        "~passport|driving licence|driver’s license|driver's license|source of funds|~identity",
    ),
    // Hospitality (reviews).
    t(
      'hospitality',
      'Hospitality',
      'product',
      'product',
      'restaurant|restaurants|place|spot|joint|cafe|café|bar|pub|diner|bistro|hotel|venue',
    ),
    t('hospitality.food', 'Food', 'product', 'product', FOOD_WORDS),
    t(
      'hospitality.drinks',
      'Drinks',
      'product',
      'product',
      'drink|drinks|wine|wines|wine list|beer|beers|cocktail|cocktails|sake|coffee|espresso|latte|cappuccino|tea|' +
        'juice|margarita|margaritas|martini|sangria|soda|water|bottle|glass of|drinking',
    ),
    t(
      'hospitality.menu',
      'Menu and choice',
      'product',
      'product',
      'menu|menus|~selection|~variety|~choice|~choices|~options|vegetarian options|vegan options|specials|prix fixe|tasting menu|' +
        '~offerings|~range',
    ),
    t(
      'hospitality.ambience',
      'Ambience and atmosphere',
      'physical_evidence',
      'service',
      'ambience|ambiance|atmosphere|decor|décor|interior|music|noise|noisy|loud|quiet|cozy|cosy|romantic|vibe|vibes|' +
        '~setting|lighting|dark|crowded|cramped|spacious|seating|seats|table|tables|view|views|outdoor|patio|garden|' +
        'terrace|room|space|comfortable seating|design|scene|trendy|hip|elegant|charming|dining room|' +
        'candle|candles|chairs|booth|booths|decorated|lounge|fireplace',
    ),
    t(
      'hospitality.location',
      'Location and access',
      'place',
      'sales',
      'location|located|neighborhood|neighbourhood|area|street|~block|downtown|walk|walking distance|subway|station|' +
        'parking|reservation|reservations|reserve|booking|booked|walk in|walk-in|open late|opening hours|~hours|~closed|' +
        'find it|hard to find|accessible|wheelchair',
    ),
  ],
};
