import { humanise } from './display.js';

/**
 * A survey key from its name, as the editor suggests it until the key is edited: lower case,
 * accents dropped, anything but letters and digits folded into single dashes ("Après-livraison
 * NPS!" → "apres-livraison-nps"). Valid for the API's key rule (starts with a letter or digit,
 * letters, digits and - only, at most 60 characters); '' for a name with no letters or digits.
 */
export function keyFromName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+/, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

/** A readable name for a survey known only by its key ("delivery-csat" → "Delivery CSAT"). */
export function nameFromKey(key: string): string {
  return humanise(key) || key;
}
