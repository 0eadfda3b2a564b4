/** A statement trigger's event: insert, delete or update. */
export type TriggerEvent = 'ins' | 'del' | 'upd';

const CLAUSE: Record<TriggerEvent, string> = {
  ins: 'AFTER INSERT ON %t REFERENCING NEW TABLE AS new_rows',
  del: 'AFTER DELETE ON %t REFERENCING OLD TABLE AS old_rows',
  upd: 'AFTER UPDATE ON %t REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows',
};

/**
 * (Re)creates the statement-level AFTER triggers `<name>_<event>` on `table`, each with its
 * transition tables (new_rows, old_rows) and running the function `fn(event)`.
 */
export function statementTriggersSql(
  name: string,
  table: string,
  fn: (e: TriggerEvent) => string,
  events: TriggerEvent[] = ['ins', 'del', 'upd'],
): string {
  return events
    .map(
      (e) => `DROP TRIGGER IF EXISTS ${name}_${e} ON ${table};
CREATE TRIGGER ${name}_${e} ${CLAUSE[e].replace('%t', table)}
  FOR EACH STATEMENT EXECUTE FUNCTION ${fn(e)}();`,
    )
    .join('\n');
}
