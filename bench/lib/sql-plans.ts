import { CompiledQuery, type Kysely, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';

/**
 * Records the SQL a repository runs, so that the benchmark can ask SQLite how it executes exactly
 * those statements (EXPLAIN QUERY PLAN) rather than hand-written look-alikes. Use it on a separate
 * handle (`db.withPlugin(capture)`): compiling every statement twice would skew timings.
 */
export class SqlCapture implements KyselyPlugin {
  readonly statements = new Map<string, CompiledQuery>();

  constructor(private readonly db: Kysely<unknown>) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const compiled = this.db.getExecutor().compileQuery(args.node, args.queryId);
    if (!this.statements.has(compiled.sql)) this.statements.set(compiled.sql, compiled);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** SQLite's plan for a statement, one line per step ("SEARCH t USING INDEX i (a=?)"). */
export async function queryPlan(db: Kysely<unknown>, statement: CompiledQuery): Promise<string[]> {
  const result = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${statement.sql}`, [...statement.parameters]));
  return result.rows.map((r) => r.detail);
}
