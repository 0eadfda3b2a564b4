// Small pieces the taxonomy page's parts share: the phrase rules' help, how a 7P dimension and an
// error read, and moving the keyboard focus after a change.
// Canopy's own enums, from core's build (plain data, no imports of their own).
import { DEPARTMENTS, SEVEN_PS } from '../../../core/dist/src/domain.js';
import { ApiError } from '../api';
import { titleCase } from '../format';
import { Field } from '../loop/common';

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

/** A topic's 7P dimension and owning department, as the edit and add forms ask for them. */
export function OwnerFields({
  sevenP,
  department,
  errors = {},
  deptName,
  testIdPrefix,
  onChange,
}: {
  sevenP: string;
  department: string;
  errors?: { sevenP?: string; department?: string };
  deptName: (k: string) => string;
  /** "topic" or "add": the selects' test ids are `${prefix}-sevenp` and `${prefix}-department`. */
  testIdPrefix: string;
  onChange: (patch: { sevenP?: string; department?: string }) => void;
}) {
  return (
    <>
      <Field label="7P dimension" error={errors.sevenP}>
        <select
          value={sevenP}
          onChange={(e) => onChange({ sevenP: e.target.value })}
          data-testid={`${testIdPrefix}-sevenp`}
        >
          {SEVEN_PS.map((s) => (
            <option key={s} value={s}>
              {sevenPName(s)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Owning department" error={errors.department}>
        <select
          value={department}
          onChange={(e) => onChange({ department: e.target.value })}
          data-testid={`${testIdPrefix}-department`}
        >
          {DEPARTMENTS.map((k) => (
            <option key={k} value={k}>
              {deptName(k)}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}
