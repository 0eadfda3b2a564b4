// Small pieces the taxonomy page's parts share: the phrase rules' help, how a 7P dimension and an
// error read, and moving the keyboard focus after a change.
import { ApiError } from '../api';
import { titleCase } from '../format';

export const PHRASE_HELP = (
  <>
    One phrase per line. Phrases match whole words and simple inflections (“deliveries” matches “delivery”). A phrase
    starting with <code>~</code> counts only when the same sentence also mentions another topic under the same top-level
    topic: <code>~nice</code> under service.staff_attitude finds “the waiter was nice” but not “nice dress”.
  </>
);

export function errorText(x: unknown): string {
  return x instanceof ApiError ? x.detail || x.title : (x as Error).message;
}

export const sevenPName = (k: string) => titleCase(k);

/** Moves keyboard focus once React has drawn the change (the focused control may have gone). */
export function focusSoon(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}
