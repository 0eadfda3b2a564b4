import { DEFAULT_TAXONOMY } from './taxonomy.js';
import type { Taxonomy } from './types.js';

/**
 * The taxonomy whose topics trained classifiers read as features (classifier.ts): the default
 * taxonomy as it was when they began to (version canopy-default-1, 2026-11), matched without the
 * later matching rules. Stored per-org models must score as they did when they were trained, so
 * their features stay fixed while the live default taxonomy (taxonomy.ts) improves; a test keeps
 * this snapshot's fingerprint. Topics whose phrases have changed since keep their old phrases here.
 */
const KEYS =
  'product product.quality product.defect product.features product.fit product.availability price price.level price.value price.promotions billing billing.error billing.payment returns returns.refund delivery delivery.late delivery.damaged delivery.missing digital digital.usability digital.login service service.wait_time service.staff service.staff_attitude service.staff_knowledge service.resolution service.communication marketing marketing.spam marketing.misleading physical physical.packaging physical.cleanliness contract contract.cancellation hospitality hospitality.food hospitality.drinks hospitality.menu hospitality.ambience hospitality.location';

const OLD_PHRASES: Record<string, string> = {
  contract:
    'contract|contracts|subscription|subscriptions|subscribe|subscribed|plan|plans|membership|policy|terms|' +
    'terms and conditions|agreement|renewal|renew|renewed|auto renew|auto-renew|auto renewal|trial|free trial',
  'delivery.missing':
    "missing|never received|not received|didn’t receive|didn't receive|did not receive|lost parcel|lost package|lost in the post|lost in transit|stolen|wrong item|wrong items|wrong order|wrong address|wrong size sent|missing item|missing items|item missing|incomplete order|part of my order|left at the wrong|delivered to the wrong|marked as delivered|says delivered|said delivered|not delivered|never delivered",
  'price.level':
    'expensive|pricey|overpriced|over priced|cheap|cheaper|inexpensive|affordable|reasonably priced|reasonable price|fee|fees|surcharge|hidden fee|hidden fees|hidden charges|service charge|price increase|price hike|raised the price|raised prices|subscription fee|monthly fee|membership fee|delivery fee|shipping cost|shipping costs|shipping fee|commission|markup|mark up|$|bucks|dollars|pounds|euros',
  'product.quality':
    'quality|well made|poorly made|badly made|cheaply made|build quality|craftsmanship|material|materials|' +
    'fabric|durable|durability|sturdy|flimsy|cheap material|cheap fabric|last long|lasted|wears out|' +
    'wore out|holes|thin|soft|comfortable|uncomfortable|itchy|scratchy|see through|sheer|lining|stitching|' +
    'seams|pilling|shrank|shrunk|faded|color|colour|colors|colours|pattern|print|design|looks|look|style|' +
    'quality control',
  'product.features':
    'feature|features|functionality|function|functions|option|options|setting|settings|integration|' +
    'integrations|compatible|compatibility|update|updates|upgrade|version|new version|missing feature|' +
    'feature request|would be nice|wish it had|add the ability|capability|capabilities|performance|speed|' +
    'battery|battery life|storage|camera|screen|display|size options|pockets|customization|customisation',
  'price.promotions':
    'discount|discounts|coupon|coupons|promo|promo code|promotion|promotions|voucher|vouchers|sale price|' +
    'on sale|loyalty points|points|rewards|cashback|cash back|offer|offers|deal|deals|happy hour|' +
    'gift card',
  delivery:
    'delivery|deliveries|deliver|delivered|shipping|shipped|ship|shipment|courier|driver|parcel|package|' +
    'packages|dispatch|dispatched|postage|post|mail|ups|fedex|dhl|usps|royal mail|hermes|evri|tracking|' +
    'tracking number|track my order|arrive|arrived|arrival|order',
  'digital.login':
    'login|log in|logged in|logging in|log on|sign in|signed in|signing in|sign up|signup|password|' +
    'passwords|reset password|password reset|forgot password|locked out|account locked|locked account|' +
    'verification code|verification|verify|two factor|2fa|otp|one time code|username|user name|my account|' +
    'account access|access my account|account suspended|account closed|deactivated|hacked|profile|' +
    'email address change',
  'service.wait_time':
    'wait|waiting|waited|wait time|waiting time|on hold|hold time|held on hold|queue|queued|in the queue|' +
    'long wait|minutes|hours|hour|took forever|takes forever|slow|slowly|slow service|slow response|' +
    'response time|no response|no reply|never got back|got back to me|get back to me|never heard back|' +
    'still waiting|quick response|quick reply|fast response|responded quickly|answered quickly|prompt|' +
    'promptly|straight away|right away|immediately|within minutes|in no time|took ages|ages',
  'service.staff_attitude':
    'rude|rudely|rudeness|polite|politely|impolite|friendly|unfriendly|attitude|courteous|discourteous|' +
    'respectful|disrespectful|arrogant|condescending|dismissive|patronizing|patronising|nice|kind|helpful|' +
    'unhelpful|attentive|inattentive|caring|welcoming|warm|cold|hostile|aggressive|yelled|shouted|' +
    'laughed at|hung up|hung up on me|ignored|ignoring|professional|unprofessional|pleasant|unpleasant|' +
    'lovely|sweet|amazing staff|accommodating|empathetic|sympathetic|apologetic|apologized|apologised|' +
    "smile|smiling|went above and beyond|above and beyond|extra mile|couldn't care less|did not care|" +
    "didn't care|careless",
  'service.staff_knowledge':
    "knowledgeable|knowledge|knew what|know what|didn’t know|didn't know|did not know|no idea|clueless|" +
    'incompetent|competent|expert|expertise|experienced|inexperienced|trained|untrained|training|' +
    'well trained|poorly trained|wrong information|incorrect information|misinformed|misinformation|' +
    'gave me wrong|conflicting information|explained|explain|explanation|understood|understand my|' +
    "answered my question|answered all my questions|couldn't answer|could not answer|couldn’t answer|" +
    'informative|advice',
  'service.resolution':
    'resolved|resolve|resolution|unresolved|solved|solve|sorted|sorted it|sorted out|fixed|fix|fixed it|' +
    'issue|issues|problem|problems|complaint|complaints|complained|escalate|escalated|escalation|ticket|' +
    'case|follow up|followed up|follow-up|callback|call back|called back|nobody called|no one called|' +
    'transferred|transferred me|passed around|bounced around|runaround|run around|called again|' +
    'called back again|contacted again|third time|second time|multiple times|several times|many times|' +
    'every time|keep calling|kept calling|repeat|repeated|same problem|still not fixed|still not resolved|' +
    'first contact|one call',
  marketing: 'marketing|advert|adverts|advertising|advertisement|ads|ad|campaign|brand|newsletter',
  'physical.cleanliness':
    'clean|cleanliness|dirty|filthy|messy|mess|hygiene|hygienic|unhygienic|sticky|smell|smells|smelly|' +
    'stink|stinks|dust|dusty|bathroom|bathrooms|restroom|restrooms|toilet|toilets|cockroach|cockroaches|' +
    'bugs|mice|rats|hair in',
  'hospitality.food':
    'food|foods|meal|meals|dish|dishes|cuisine|taste|tastes|tasted|tasting|flavor|flavors|flavour|' +
    'flavours|flavorful|tasty|delicious|yummy|bland|portion|portions|entree|entrees|entrée|appetizer|' +
    'appetizers|starter|starters|main course|dessert|desserts|pizza|pizzas|pasta|sushi|sashimi|roll|rolls|' +
    'burger|burgers|fries|steak|steaks|chicken|beef|pork|lamb|duck|fish|salmon|tuna|shrimp|prawns|lobster|' +
    'crab|oysters|scallops|seafood|salad|salads|soup|soups|bread|rice|noodles|ramen|pho|curry|tacos|taco|' +
    'burrito|dumplings|dim sum|sandwich|sandwiches|bagel|bagels|cheese|sauce|sauces|meat|veggies|' +
    'vegetables|vegetarian|vegan|cake|cakes|pie|ice cream|gelato|chocolate|tiramisu|brunch|breakfast|' +
    'lunch|dinner|eggs|bacon|pancakes|waffles|crust|toppings|spicy|fresh|cooked|overcooked|undercooked|' +
    'chef|kitchen|cooking|dessert menu|special|specials|omakase|tapas|paella|kebab|falafel|hummus|gnocchi|' +
    'risotto|lasagna|ravioli|calamari|mussels|clams|wings|ribs|brisket|bbq|fried|grilled|baked|seasoned|' +
    'salty|sweet|sour|greasy|soggy|crispy|tender|juicy|dry|raw|stale|edible|inedible|appetite|plate|' +
    'plates|bite|bites|course|courses|sides|side dish|entree',
  'hospitality.menu':
    'menu|menus|selection|variety|choice|choices|options|vegetarian options|vegan options|specials|' +
    'prix fixe|tasting menu|offerings|range',
  'hospitality.ambience':
    'ambience|ambiance|atmosphere|decor|décor|interior|music|noise|noisy|loud|quiet|cozy|cosy|romantic|' +
    'vibe|vibes|setting|lighting|dark|crowded|cramped|spacious|seating|seats|table|tables|view|views|' +
    'outdoor|patio|garden|terrace|room|space|feel|feels|comfortable seating|design|scene|trendy|hip|' +
    'elegant|charming|dining room|candle|candles|chairs|booth|booths|decorated|lounge|fireplace',
  'hospitality.location':
    'location|located|neighborhood|neighbourhood|area|street|block|downtown|walk|walking distance|subway|' +
    'station|parking|reservation|reservations|reserve|booking|booked|walk in|walk-in|open late|' +
    'opening hours|hours|closed|find it|hard to find|accessible|wheelchair',
};

/** Labels changed since (features read keys, not labels, but the snapshot stays whole). */
const OLD_LABELS: Record<string, string> = { 'delivery.late': 'Late delivery' };

const live = new Map(DEFAULT_TAXONOMY.topics.map((t) => [t.key, t]));
export const FEATURE_TAXONOMY: Taxonomy = {
  version: 'canopy-default-1',
  topics: KEYS.split(' ').map((key) => {
    const t = live.get(key);
    if (!t) throw new Error(`feature taxonomy: topic ${key} is missing from the default taxonomy`);
    const old = OLD_PHRASES[key];
    const label = OLD_LABELS[key] ?? t.label;
    return old === undefined && label === t.label ? t : { ...t, label, phrases: old?.split('|') ?? t.phrases };
  }),
};
