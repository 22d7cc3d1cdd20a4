import { propertyName, type EntityType } from './entities.js';
import { GraphError } from './graph-errors.js';

/**
 * $filter on directory objects (https://learn.microsoft.com/graph/filter-query-parameter and
 * https://learn.microsoft.com/graph/aad-advanced-queries): eq, in, startsWith, and, or, parentheses
 * and `any` on collections by default; ne, not, endsWith and `eq null` only as advanced queries.
 * Directory string comparisons ignore case.
 */

type Literal = string | number | boolean | null;

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'cmp'; op: 'eq' | 'ne'; prop: string; value: Literal }
  | { kind: 'in'; prop: string; values: Literal[] }
  | { kind: 'fn'; fn: 'startswith' | 'endswith'; prop: string; value: string }
  | { kind: 'any'; prop: string; body: Node };

/** The variable of an `any` lambda stands for each element of the collection. */
const ELEMENT = '\u0000element';

export interface CompiledFilter<T> {
  test: (o: T) => boolean;
  /** Operators or properties used that Graph supports only with advanced query parameters. */
  advanced: string[];
  /** Canonical names of the properties the filter reads. */
  properties: Set<string>;
}

export function compileFilter<T>(type: EntityType<T>, source: string): CompiledFilter<T> {
  const node = new Parser(source).parse();
  const advanced: string[] = [];
  const properties = new Set<string>();
  const check = (n: Node, inLambda: string | undefined): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
        check(n.left, inLambda);
        check(n.right, inLambda);
        return;
      case 'not':
        advanced.push('not');
        check(n.operand, inLambda);
        return;
      case 'any': {
        const name = resolve(type, n.prop);
        if (!type.properties[name]!.collection) throw unsupported(type, name);
        n.prop = name;
        properties.add(name);
        check(n.body, name);
        return;
      }
    }
    const element = n.prop === ELEMENT && inLambda !== undefined;
    const name = element ? inLambda : resolve(type, n.prop);
    if (!element) {
      if (type.properties[name]!.collection) throw unsupported(type, name);
      n.prop = name;
    }
    properties.add(name);
    const support = type.properties[name]!.filter ?? {};
    const op = n.kind === 'fn' ? n.fn : n.kind === 'in' ? 'eq' : n.op;
    const level = op === 'startswith' ? support.startsWith : op === 'endswith' ? support.endsWith : support.eq;
    if (!level) throw unsupported(type, name);
    if (level === 'advanced') advanced.push(op === 'startswith' ? 'startsWith' : op === 'endswith' ? 'endsWith' : op);
    if (n.kind === 'cmp' && n.op === 'ne') advanced.push('ne');
    if (n.kind === 'cmp' && n.value === null) advanced.push('eq null');
  };
  check(node, undefined);
  return { test: (o) => evaluate(type, node, o, undefined), advanced: [...new Set(advanced)], properties };
}

function resolve<T>(type: EntityType<T>, name: string): string {
  const canonical = propertyName(type, name);
  if (!canonical) throw new GraphError(400, 'BadRequest', `Could not find a property named '${name}' on type '${type.odataType.slice(1)}'.`);
  return canonical;
}

function unsupported<T>(type: EntityType<T>, name: string): GraphError {
  return new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${name}' of resource '${type.resource}'.`);
}

function evaluate<T>(type: EntityType<T>, n: Node, o: T, element: unknown): boolean {
  switch (n.kind) {
    case 'and':
      return evaluate(type, n.left, o, element) && evaluate(type, n.right, o, element);
    case 'or':
      return evaluate(type, n.left, o, element) || evaluate(type, n.right, o, element);
    case 'not':
      return !evaluate(type, n.operand, o, element);
    case 'any': {
      const values = type.properties[n.prop]!.get(o);
      return Array.isArray(values) && values.some((v) => evaluate(type, n.body, o, v));
    }
  }
  const value = n.prop === ELEMENT ? element : type.properties[n.prop]!.get(o);
  if (n.kind === 'cmp') return n.op === 'eq' ? same(value, n.value) : !same(value, n.value);
  if (n.kind === 'in') return n.values.some((v) => same(value, v));
  if (typeof value !== 'string') return false;
  const [a, b] = [value.toLowerCase(), n.value.toLowerCase()];
  return n.fn === 'startswith' ? a.startsWith(b) : a.endsWith(b);
}

function same(value: unknown, literal: Literal): boolean {
  if (literal === null) return value === null || value === undefined;
  if (typeof value === 'string' && typeof literal === 'string') return value.toLowerCase() === literal.toLowerCase();
  return value === literal;
}

// ---- parsing ----

type Token = { t: 'str'; v: string } | { t: 'word'; v: string } | { t: 'num'; v: number } | { t: 'sym'; v: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)(?![\w-])|([A-Za-z_][\w.-]*)|([(),/:]))/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < source.length && (m = re.exec(source))) {
    if (m[1] !== undefined) tokens.push({ t: 'str', v: m[1].replace(/''/g, "'") });
    else if (m[2] !== undefined) tokens.push({ t: 'num', v: Number(m[2]) });
    else if (m[3] !== undefined) tokens.push({ t: 'word', v: m[3] });
    else if (m[4] !== undefined) tokens.push({ t: 'sym', v: m[4] });
  }
  if (source.slice(re.lastIndex).trim() !== '') throw syntax(`unexpected '${source.slice(re.lastIndex).trim().slice(0, 20)}'`);
  return tokens;
}

function syntax(detail: string): GraphError {
  return new GraphError(400, 'BadRequest', `Invalid filter clause: ${detail}.`);
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private lambdaVar: string | undefined;

  constructor(source: string) {
    this.tokens = tokenize(source);
  }

  parse(): Node {
    const node = this.or();
    if (this.i < this.tokens.length) throw syntax('unexpected token after the end of the expression');
    return node;
  }

  private peekWord(): string | undefined {
    const t = this.tokens[this.i];
    return t?.t === 'word' ? t.v.toLowerCase() : undefined;
  }

  private expectSym(v: string): void {
    const t = this.tokens[this.i++];
    if (t?.t !== 'sym' || t.v !== v) throw syntax(`expected '${v}'`);
  }

  private or(): Node {
    let left = this.and();
    while (this.peekWord() === 'or') (this.i++, (left = { kind: 'or', left, right: this.and() }));
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.peekWord() === 'and') (this.i++, (left = { kind: 'and', left, right: this.unary() }));
    return left;
  }

  private unary(): Node {
    if (this.peekWord() === 'not') return (this.i++, { kind: 'not', operand: this.unary() });
    const t = this.tokens[this.i];
    if (t?.t === 'sym' && t.v === '(') {
      this.i++;
      const inner = this.or();
      this.expectSym(')');
      return inner;
    }
    const word = this.peekWord();
    if (word === 'startswith' || word === 'endswith') {
      this.i++;
      this.expectSym('(');
      const prop = this.operand();
      this.expectSym(',');
      const value = this.literal();
      this.expectSym(')');
      if (typeof value !== 'string') throw syntax(`${word} needs a string`);
      return { kind: 'fn', fn: word, prop, value };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const prop = this.operand();
    const next = this.tokens[this.i];
    if (next?.t === 'sym' && next.v === '/') {
      this.i++;
      if (this.peekWord() !== 'any') throw syntax('only the any lambda operator is supported');
      this.i++;
      this.expectSym('(');
      const variable = this.tokens[this.i++];
      if (variable?.t !== 'word') throw syntax('expected a lambda variable');
      this.expectSym(':');
      const outer = this.lambdaVar;
      this.lambdaVar = variable.v;
      const body = this.or();
      this.lambdaVar = outer;
      this.expectSym(')');
      return { kind: 'any', prop, body };
    }
    const op = this.peekWord();
    this.i++;
    if (op === 'eq' || op === 'ne') return { kind: 'cmp', op, prop, value: this.literal() };
    if (op === 'in') {
      this.expectSym('(');
      const values = [this.literal()];
      while (this.tokens[this.i]?.t === 'sym' && (this.tokens[this.i] as { v: string }).v === ',') (this.i++, values.push(this.literal()));
      this.expectSym(')');
      return { kind: 'in', prop, values };
    }
    throw syntax(`unsupported operator '${op ?? '?'}'`);
  }

  private operand(): string {
    const t = this.tokens[this.i++];
    if (t?.t !== 'word') throw syntax('expected a property name');
    return this.lambdaVar !== undefined && t.v === this.lambdaVar ? ELEMENT : t.v;
  }

  private literal(): Literal {
    const t = this.tokens[this.i++];
    if (t?.t === 'str' || t?.t === 'num') return t.v;
    if (t?.t === 'word' && ['true', 'false', 'null'].includes(t.v.toLowerCase())) return JSON.parse(t.v.toLowerCase()) as Literal;
    throw syntax('expected a literal');
  }
}
