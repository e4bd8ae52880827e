/**
 * Decides whether an operator's SQL may run, from ClickHouse's own parse of it. Input: the
 * statement as the engine re-formatted it (one statement, comments gone, identifiers quoted only
 * where needed) and the engine's `EXPLAIN AST` of that text. Output: nothing, or an ApiError with
 * a stable code. Pure: no I/O; query-window.ts asks the engine and calls these.
 *
 * What passes: exactly one SELECT (UNION / INTERSECT / EXCEPT / WITH, subqueries, JOINs, window
 * functions) over Warden's own tenant tables (`QUERY_TABLES`, optionally named `<database>.t`)
 * and the query's own CTEs. What does not:
 * - any other statement, INTO OUTFILE, FORMAT                          → QUERY_NOT_READ_ONLY
 * - table functions (file, url, remote, s3, mysql, executable, input, …), other databases
 *   (system, information_schema, …), tables of Warden's database not on the list → QUERY_FORBIDDEN_TABLE
 * - functions that reach outside the tenant's rows or the process: file(), dictionaries,
 *   joinGet, AI and model functions, host and server introspection, …  → QUERY_FORBIDDEN_FUNCTION
 * - a SETTINGS clause (it could lift the limits or the tenant filter), `* APPLY f` (its function
 *   is invisible in the AST), query parameters, any node kind not known here → QUERY_FORBIDDEN_CLAUSE
 *
 * The AST dump prints identifiers unescaped, so a quoted identifier holding a line break could
 * forge a line of it. Quoted identifiers are therefore held to letters, digits and `_` (enough
 * for the keyword-named column `by`), checked on the formatted text; and the dump must be a
 * consistent tree (every node's declared child count matches), or the query is refused.
 */
import { ApiError } from '../../../lib/errors.js';
import type { ErrorCode } from '../../../lib/error-codes.js';

/**
 * Warden's tables an operator may read; each has a `tenant` column the tenant filter uses. The
 * activity tables and the sessions list's touches come with the materialized views that fill them
 * (reading a view reads its table, filtered the same way).
 */
export const QUERY_TABLES: readonly string[] = [
  'audit_events', 'sessions', 'findings', 'revocations', 'gate_decisions', 'gate_grants', 'gate_stopped',
  'session_activity', 'session_activity_mv', 'target_index', 'target_index_mv', 'target_activity', 'target_activity_mv',
  'session_summary', 'session_touches', 'session_touches_mv',
];

export interface AstNode {
  type: string;
  /** What follows the type on its line: an identifier, a function name, a literal. */
  name: string;
  children: AstNode[];
}

export interface GuardPolicy {
  /** Warden's database: the only one a qualified name may name. */
  database: string;
  /** Tables that may be read (QUERY_TABLES). */
  tables: readonly string[];
  /** Every table of Warden's database: an unlisted one may not be read under a CTE's name either. */
  existingTables: ReadonlySet<string>;
}

const ALLOWED_NODES = new Set([
  'SelectWithUnionQuery',
  'SelectIntersectExceptQuery',
  'SelectQuery',
  'ExpressionList',
  'TablesInSelectQuery',
  'TablesInSelectQueryElement',
  'TableExpression',
  'TableIdentifier',
  'TableJoin',
  'ArrayJoin',
  'Subquery',
  'WithElement',
  'Identifier',
  'Function',
  'Literal',
  'Asterisk',
  'QualifiedAsterisk',
  'ColumnsRegexpMatcher',
  'QualifiedColumnsRegexpMatcher',
  'ColumnsListMatcher',
  'QualifiedColumnsListMatcher',
  'ColumnsTransformerList',
  'ColumnsExceptTransformer',
  'ColumnsReplaceTransformer',
  'ColumnsReplaceTransformer::Replacement',
  'OrderByElement',
  'InterpolateElement',
  'WindowDefinition',
  'WindowListElement',
  'SampleRatio',
]);

/** Functions (lower-cased) that read files, dictionaries, other tables, the host, or call out. */
const DENIED_FUNCTIONS = new Set([
  'file',
  'url',
  'chdb',
  'joinget',
  'joingetornull',
  'hascolumnintable',
  'catboostevaluate',
  'modelevaluate',
  'evalmlmethod',
  'naivebayesclassifier',
  'naivebayesclassifierwithallprobs',
  'naivebayesclassifierwithprob',
  'getserversetting',
  'getmergetreesetting',
  'getmacro',
  'getclienthttpheader',
  'getserverport',
  'getoskernelversion',
  'tcpport',
  'hostname',
  'fqdn',
  'fullhostname',
  'displayname',
  'serveruuid',
  'showcertificate',
  'addresstoline',
  'addresstolinewithinlines',
  'addresstosymbol',
  'demangle',
  'logtrace',
  'generateserialid',
  'globalvariable',
  'zookeepersessionuptime',
  'mergetreepartinfo',
  'aiclassify',
  'aiembed',
  'aiextract',
  'aigenerate',
  'aitranslate',
]);
const DENIED_PREFIXES = ['dict', 'filesystem', 'region', '__'];

/** `x IN t` names a table on its right-hand side. */
const IN_FUNCTIONS = new Set(['in', 'notin', 'globalin', 'globalnotin', 'nullin', 'notnullin', 'globalnullin', 'globalnotnullin']);

function refuse(code: ErrorCode, message: string): never {
  throw new ApiError(code, message);
}

/**
 * Walks the formatted statement and refuses quoted identifiers holding anything but letters,
 * digits and `_` (string literals are skipped: the dump prints them escaped).
 */
export function checkQuotedIdentifiers(formatted: string): void {
  for (let i = 0; i < formatted.length; i++) {
    const c = formatted[i];
    if (c === "'") {
      for (i++; i < formatted.length && formatted[i] !== "'"; i++) if (formatted[i] === '\\') i++;
    } else if (c === '`' || c === '"') {
      const end = formatted.indexOf(c, i + 1);
      const name = end < 0 ? formatted.slice(i + 1) : formatted.slice(i + 1, end);
      if (end < 0 || !/^[A-Za-z0-9_]+$/.test(name)) {
        refuse('QUERY_INVALID', 'quoted identifiers may hold letters, digits and _ only');
      }
      i = end;
    } else if (c !== undefined && (c < ' ' || c > '~')) {
      refuse('QUERY_INVALID', 'outside string literals the query may hold printable ASCII only');
    }
  }
}

const CHILDREN = / \(children (\d+)\)$/;
const ALIAS = / \(alias [A-Za-z0-9_]+\)$/;

/** Parses `EXPLAIN AST` text into a tree; refuses a dump whose structure does not add up. */
export function parseAst(text: string): AstNode {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const malformed = (): never => refuse('QUERY_INVALID', 'the query could not be inspected');
  const stack: Array<{ node: AstNode; depth: number; declared: number }> = [];
  let root: AstNode | undefined;
  const close = (entry: { node: AstNode; declared: number }): void => {
    if (entry.node.children.length !== entry.declared) malformed();
  };
  for (const line of lines) {
    const depth = line.length - line.trimStart().length;
    let rest = line.slice(depth);
    const declaredMatch = CHILDREN.exec(rest);
    const declared = declaredMatch ? Number(declaredMatch[1]) : 0;
    if (declaredMatch) rest = rest.slice(0, declaredMatch.index);
    const aliasMatch = ALIAS.exec(rest);
    if (aliasMatch) rest = rest.slice(0, aliasMatch.index);
    const space = rest.indexOf(' ');
    const node: AstNode = { type: space < 0 ? rest : rest.slice(0, space), name: space < 0 ? '' : rest.slice(space + 1), children: [] };
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= depth) close(stack.pop()!);
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      if (root !== undefined || depth !== 0) malformed();
      root = node;
    } else {
      if (depth !== parent.depth + 1) malformed();
      parent.node.children.push(node);
    }
    stack.push({ node, depth, declared });
  }
  while (stack.length > 0) close(stack.pop()!);
  return root ?? malformed();
}

function checkTable(name: string, policy: GuardPolicy): void {
  const forbidden = (): never =>
    refuse('QUERY_FORBIDDEN_TABLE', `table ${name} may not be read; readable: ${policy.tables.join(', ')}`);
  const dot = name.indexOf('.');
  if (dot >= 0) {
    const database = name.slice(0, dot);
    const table = name.slice(dot + 1);
    if (database !== policy.database || !policy.tables.includes(table)) forbidden();
    return;
  }
  if (policy.tables.includes(name)) return;
  // Not one of ours: only a CTE of the query may go by this name, never a table of the database.
  if (policy.existingTables.has(name)) forbidden();
}

function checkFunction(node: AstNode, policy: GuardPolicy): void {
  const name = node.name.toLowerCase();
  if (DENIED_FUNCTIONS.has(name) || DENIED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
    refuse('QUERY_FORBIDDEN_FUNCTION', `function ${node.name} may not be used in an operator query`);
  }
  if (!IN_FUNCTIONS.has(name)) return;
  const right = node.children[0]?.children[1];
  if (right?.type === 'Identifier') checkTable(right.name, policy);
  if (right?.type === 'Function' && right.name !== 'tuple' && right.name !== 'array') {
    refuse('QUERY_FORBIDDEN_TABLE', `IN ${right.name}(…) may not be used: table functions are not allowed`);
  }
}

function walk(node: AstNode, policy: GuardPolicy): void {
  if (!ALLOWED_NODES.has(node.type)) {
    if (node.type === 'Set') refuse('QUERY_FORBIDDEN_CLAUSE', 'a SETTINGS clause is not allowed: limits and the tenant filter are set by Warden');
    if (node.type === 'ColumnsApplyTransformer') refuse('QUERY_FORBIDDEN_CLAUSE', 'APPLY is not allowed; call the function on the columns');
    if (node.type === 'QueryParameter') refuse('QUERY_INVALID', 'query parameters ({name:Type}) are not supported');
    refuse('QUERY_FORBIDDEN_CLAUSE', `${node.type} is not allowed in an operator query`);
  }
  if (node.type === 'TableExpression') {
    const source = node.children[0];
    if (source?.type === 'Function') refuse('QUERY_FORBIDDEN_TABLE', `table function ${source.name}(…) may not be used: only Warden's tables can be read`);
  }
  if (node.type === 'TableIdentifier') checkTable(node.name, policy);
  if (node.type === 'Function') checkFunction(node, policy);
  for (const child of node.children) walk(child, policy);
}

/** Refuses anything but one SELECT over the policy's tables, without outside-reaching functions. */
export function inspectAst(root: AstNode, policy: GuardPolicy): void {
  if (root.type !== 'SelectWithUnionQuery') refuse('QUERY_NOT_READ_ONLY', 'only one SELECT statement is allowed');
  if (root.children.length !== 1) refuse('QUERY_NOT_READ_ONLY', 'INTO OUTFILE and FORMAT are not allowed');
  walk(root, policy);
}
