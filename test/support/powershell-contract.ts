// The contract between the PowerShell face (powershell/*.ps1, scripts/start_dashboard.ps1) and the
// core, where running it cannot prove it: every property path of the core's JSON that the code
// reads, on every branch (a real run takes one branch and sees one platform's documents), and
// the error codes and exit codes it maps (a run meets only the codes its case produces). What a
// real pwsh shows by running (the manifest, exports, help, verbs, ShouldProcess, views, the start
// script's parameters) is tested by the Pester suites in test/powershell instead. Run by
// test/static/powershell-contract.test.ts. Every check takes file contents (not paths), so its
// tests can feed it small inline samples as well as the real files, and returns problems with
// file:line:column.
//
// ---------------------------------------------------------------------------------------------
// The `core-json` annotation
//
//   # core-json: $<name> <Kind>
//
// A line comment, alone on its line; `<Kind>` is a `$defs` name of
// docs/schema/port-check.v1.schema.json (PortCheck, Owner, Listener, PortStop, ...), or `Envelope`
// for a whole JSON document as the core prints it (data not narrowed to one kind).
//
// Where it applies (its range):
// - `$name` (any variable but `$_`): from the end of the comment to the end of the innermost
//   function that holds the comment (the whole file outside functions), or up to the next
//   annotation of the same variable in that function. Nested function definitions and script
//   blocks that declare a parameter of the same name are not part of it; other script blocks
//   (ForEach-Object, Where-Object, if bodies) are, as they read the function's variable.
// - `$_` (or `$PSItem`): from the comment to the end of the innermost script block `{ ... }`
//   (or function body) that holds it, nested script blocks excluded (they have their own `$_`).
//
// What it says the variable holds:
// - A core result when, in its range, the variable is assigned from a pipeline that calls
//   Invoke-TapoCore or Get-TapoCheckDocument (directly, or in a script block run with `&`): the
//   object Invoke-TapoCore returns (its keys are read from the module's own return statement:
//   `Document`, `ExitCode`, ...), whose `Document` is the envelope (schemaVersion, kind, tool,
//   ok, data, error, warnings) with `data` of `<Kind>`.
//   `<Kind>` must then be one of the envelope's data kinds and match the command the core ran
//   (check -> PortCheck, find-port -> PortSearch, stop -> PortStop, start -> DashboardStart,
//   status -> DashboardStatus).
// - Otherwise the `<Kind>` object itself (a parameter such as `$Owner`, or `$_` in a pipeline).
//
// Without an annotation a variable is still typed when every assignment to it in its function is
// typed alike: `$data = $result.Document.data`, `foreach ($o in $data.owners)`, `$x = $owner`,
// `$data.owners | ForEach-Object { $_ }`. An annotation must agree with that inferred type.
// ---------------------------------------------------------------------------------------------
import type { FileProblem } from './powershell-checks.ts';
import {
  CHAIN_TYPES,
  findHashLiterals,
  findNodes,
  findStringLiterals,
  parsePowerShell,
  type HashLiteral,
  type Node,
  type PowerShellValue,
  type Tree,
} from './powershell-parser.ts';

export interface SourceFile {
  /** As reported in problems: relative to the repo, `/`-separated. */
  file: string;
  source: string;
}

type Place = { line: number; column: number } | Node;

function problem(file: string, at: Place, message: string): FileProblem {
  if ('startPosition' in at) {
    return { file, line: at.startPosition.row + 1, column: at.startPosition.column + 1, message };
  }
  return { file, line: at.line, column: at.column, message };
}

const firstLine = (text: string, max = 80): string => {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}...` : line;
};

function parse(input: SourceFile): Tree {
  return parsePowerShell(input.source).tree;
}

// ---------------------------------------------------------------------------------------------
// Fixed facts: .NET and PowerShell names, the core's commands

/** System.Management.Automation.ErrorCategory, every member (values 0-31, .NET docs). */
export const ERROR_CATEGORIES: readonly string[] = (
  'NotSpecified OpenError CloseError DeviceError DeadlockDetected InvalidArgument InvalidData ' +
  'InvalidOperation InvalidResult InvalidType MetadataError NotImplemented NotInstalled ObjectNotFound ' +
  'OperationStopped OperationTimeout SyntaxError ParserError PermissionDenied ResourceBusy ' +
  'ResourceExists ResourceUnavailable ReadError WriteError FromStdErr SecurityError ProtocolError ' +
  'ConnectionError AuthenticationError LimitsExceeded QuotaExceeded NotEnabled'
).split(' ');

/** Commands whose output is a core result; the value is the document kind, or null: read it from -ArgumentList. */
export const CORE_COMMANDS: Readonly<Record<string, string | null>> = {
  'invoke-tapocore': null,
  'get-tapocheckdocument': 'PortCheck',
};

/** The core's subcommands and the kind of document each prints with --json. */
export const SUBCOMMAND_KINDS: Readonly<Record<string, string>> = {
  check: 'PortCheck',
  'find-port': 'PortSearch',
  stop: 'PortStop',
  start: 'DashboardStart',
  status: 'DashboardStatus',
};

/** The pseudo-kind of a whole document (the schema's root, data not narrowed). */
export const ENVELOPE_KIND = 'Envelope';

// ---------------------------------------------------------------------------------------------
// The JSON Schema as PowerShell sees it: property paths, member enumeration

export type SchemaNode = { readonly [key: string]: unknown };

/** A static type: a (possibly synthetic) schema node, and how to name it in messages. */
export interface JsonType {
  schema: SchemaNode;
  label: string;
}

/** One step of a member access chain. */
export type ChainStep =
  | { kind: 'property'; name: string }
  | { kind: 'method'; name: string }
  | { kind: 'index' }
  | { kind: 'dynamic'; text: string };

export type ResolveResult =
  { ok: true; type: JsonType | null } | { ok: false; message: string; failedAt: number };

interface Variant {
  schema: SchemaNode;
  def: string | null;
}

type ValueKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'any';

const RESULT_MARK = 'x-tapo-result';
const LABEL_MARK = 'x-tapo-label';
const ENVELOPE_MARK = 'x-tapo-envelope';

/** Members every array has (PowerShell reads them from the array, not from its items). */
const ARRAY_MEMBERS = new Set(['count', 'length', 'longlength', 'rank']);
/** Members PowerShell adds to every object; the chain is not followed past them. */
const INTRINSIC_MEMBERS = new Set(['psobject', 'pstypenames', 'psbase', 'psadapted', 'psextended']);

const isObject = (value: unknown): value is SchemaNode =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonKind(value: unknown): ValueKind | null {
  if (value === null) return null;
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'any';
}

export interface ContractSchemaOptions {
  /**
   * The keys of the object Invoke-TapoCore returns (see coreResultKeys). `Document` is the
   * envelope, `ExitCode` an integer; the others are not followed.
   */
  resultKeys?: readonly string[];
}

export const DEFAULT_RESULT_KEYS: readonly string[] = ['Document', 'ExitCode', 'ErrorText'];

export class ContractSchema {
  readonly defs: Readonly<Record<string, SchemaNode>>;
  readonly resultKeys: readonly string[];

  constructor(
    readonly root: SchemaNode,
    options: ContractSchemaOptions = {},
  ) {
    this.defs = isObject(root.$defs) ? (root.$defs as Record<string, SchemaNode>) : {};
    this.resultKeys = options.resultKeys ?? DEFAULT_RESULT_KEYS;
  }

  get defNames(): string[] {
    return Object.keys(this.defs);
  }

  /** A `$def` name or `Envelope`. */
  hasKind(kind: string): boolean {
    return kind === ENVELOPE_KIND || Object.hasOwn(this.defs, kind);
  }

  /** The `$defs` an envelope's `data` can hold (its `oneOf` references): PortCheck, PortSearch, ... */
  get documentKinds(): string[] {
    const data = (this.root.properties as Record<string, SchemaNode> | undefined)?.data;
    const alternatives = Array.isArray(data?.oneOf) ? (data.oneOf as SchemaNode[]) : [];
    return alternatives
      .map((a) => (typeof a.$ref === 'string' ? this.deref(a.$ref).def : null))
      .filter((d): d is string => d !== null);
  }

  deref(ref: string): { schema: SchemaNode; def: string } {
    const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
    const def = match?.[1];
    if (!def || !isObject(this.defs[def])) throw new Error(`unsupported or dangling $ref ${ref}`);
    return { schema: this.defs[def] as SchemaNode, def };
  }

  /** The envelope as the core prints it, `data` narrowed to `kind` (or left as it is for null). */
  envelope(kind: string | null): SchemaNode {
    const properties = (this.root.properties ?? {}) as Record<string, SchemaNode>;
    return {
      type: 'object',
      additionalProperties: false,
      [LABEL_MARK]: kind ? `${kind} document` : ENVELOPE_KIND,
      properties: kind ? { ...properties, data: { $ref: `#/$defs/${kind}` } } : properties,
    };
  }

  /** A variable that holds the `kind` object itself (or a whole document for `Envelope`). */
  objectType(kind: string): JsonType {
    if (kind === ENVELOPE_KIND) {
      return { schema: { ...this.envelope(null), [ENVELOPE_MARK]: true }, label: ENVELOPE_KIND };
    }
    return { schema: { $ref: `#/$defs/${kind}` }, label: kind };
  }

  /** What Invoke-TapoCore returns for a document of `kind`. */
  resultType(kind: string): JsonType {
    return {
      label: `${kind} result`,
      schema: {
        type: 'object',
        additionalProperties: false,
        [RESULT_MARK]: kind,
        properties: Object.fromEntries(
          this.resultKeys.map((key) => [
            key,
            key === 'Document' ? this.envelope(kind) : key === 'ExitCode' ? { type: 'integer' } : {},
          ]),
        ),
      },
    };
  }

  /** The alternatives a value of `schema` can be: `$ref`s followed, `oneOf`/`anyOf` flattened, null dropped. */
  variants(schema: SchemaNode, def: string | null = null, depth = 0): Variant[] {
    if (depth > 40) throw new Error('schema nests too deep (a $ref cycle?)');
    if (typeof schema.$ref === 'string') {
      const target = this.deref(schema.$ref);
      return this.variants(target.schema, target.def, depth + 1);
    }
    if ('allOf' in schema || 'if' in schema) {
      throw new Error('the contract checker does not understand allOf/if in the schema; teach it');
    }
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (Array.isArray(alternatives)) {
      return (alternatives as SchemaNode[]).flatMap((a) => this.variants(a, def, depth + 1));
    }
    if (this.kinds(schema).size === 0) return []; // null only
    return [{ schema, def }];
  }

  /** What kinds of JSON value a (non-union) schema node allows; null is left out. */
  kinds(schema: SchemaNode): Set<ValueKind> {
    const kinds = new Set<ValueKind>();
    const type = schema.type;
    const types = typeof type === 'string' ? [type] : Array.isArray(type) ? (type as string[]) : null;
    if (types) {
      for (const t of types) {
        if (t === 'integer' || t === 'number') kinds.add('number');
        else if (t === 'object' || t === 'array' || t === 'string' || t === 'boolean') kinds.add(t);
      }
    } else if ('properties' in schema || 'additionalProperties' in schema) {
      kinds.add('object');
    } else if ('items' in schema) {
      kinds.add('array');
    } else if ('const' in schema || Array.isArray(schema.enum)) {
      const values = 'const' in schema ? [schema.const] : (schema.enum as unknown[]);
      for (const value of values) {
        const kind = jsonKind(value);
        if (kind) kinds.add(kind);
      }
    } else {
      kinds.add('any');
    }
    return kinds;
  }

  /**
   * A name for comparing types: def names (`Owner`, `nullableString`), `X[]` for arrays, scalar
   * kinds, `PortCheck result` for a core result, `|` between alternatives; null when a part is an
   * unnamed object (such types are not compared).
   */
  signature(type: JsonType): string | null {
    if (typeof type.schema[RESULT_MARK] === 'string') return `${type.schema[RESULT_MARK]} result`;
    if (type.schema[ENVELOPE_MARK] === true) return ENVELOPE_KIND;
    return this.schemaSignature(type.schema);
  }

  private schemaSignature(schema: SchemaNode): string | null {
    const variants = this.variants(schema);
    if (variants.length === 0) return 'null';
    const parts = new Set<string>();
    for (const variant of variants) {
      const kinds = this.kinds(variant.schema);
      if (variant.def) parts.add(variant.def);
      else if (kinds.has('array') && kinds.size === 1) {
        const items = isObject(variant.schema.items) ? variant.schema.items : {};
        const inner = this.schemaSignature(items);
        if (inner === null) return null;
        parts.add(`${inner.includes('|') ? `(${inner})` : inner}[]`);
      } else if (kinds.has('object') || kinds.has('any') || kinds.has('array')) return null;
      else for (const kind of kinds) parts.add(kind);
    }
    return [...parts].sort().join('|');
  }

  /** True when a value of this type has properties a script could read (objects, arrays of them, results). */
  isStructured(type: JsonType): boolean {
    const visit = (schema: SchemaNode, depth: number): boolean =>
      depth < 8 &&
      this.variants(schema).some((v) => {
        const kinds = this.kinds(v.schema);
        if (kinds.has('object')) return true;
        return kinds.has('array') && isObject(v.schema.items) && visit(v.schema.items, depth + 1);
      });
    return visit(type.schema, 0);
  }

  /** The items of an array type (what `foreach` and a pipeline hand out); a scalar is its own item. */
  items(type: JsonType): JsonType {
    const variants = this.variants(type.schema);
    const arrays = variants.filter((v) => this.kinds(v.schema).has('array'));
    if (arrays.length === 0) return type;
    const parts = variants.map((v) =>
      this.kinds(v.schema).has('array') ? (isObject(v.schema.items) ? v.schema.items : {}) : v.schema,
    );
    const schema = parts.length === 1 ? (parts[0] as SchemaNode) : { oneOf: parts };
    return { schema, label: this.labelOf(schema, `${type.label}[]`) };
  }

  /** `@(...)` of a type: the type itself if it is an array, else an array of it. */
  arrayOf(type: JsonType): JsonType {
    const variants = this.variants(type.schema);
    if (variants.length > 0 && variants.every((v) => this.kinds(v.schema).has('array'))) return type;
    return { schema: { type: 'array', items: type.schema }, label: `@(${type.label})` };
  }

  /** The def name when every alternative is the same object def, the synthetic label, else `fallback`. */
  private labelOf(schema: SchemaNode, fallback: string): string {
    if (typeof schema[LABEL_MARK] === 'string') return schema[LABEL_MARK];
    const variants = this.variants(schema);
    const defs = new Set(variants.map((v) => v.def));
    const def = variants[0]?.def;
    if (def && defs.size === 1 && this.kinds(variants[0]?.schema ?? {}).has('object')) return def;
    return fallback;
  }

  /** Follows a chain's steps from `type`, the way PowerShell (under Set-StrictMode) reads them. */
  resolve(type: JsonType, steps: readonly ChainStep[]): ResolveResult {
    let current: JsonType = type;
    for (const [index, step] of steps.entries()) {
      if (step.kind === 'dynamic') return { ok: true, type: null };
      if (step.kind === 'method') {
        // Where() keeps the items; any other method's result is not followed.
        if (step.name.toLowerCase() === 'where') {
          current = this.arrayOf(this.items(current));
          continue;
        }
        return { ok: true, type: null };
      }
      if (step.kind === 'index') {
        current = this.items(current);
        continue;
      }
      const next = this.property(current, step.name);
      if (!next.ok) return { ok: false, message: next.message, failedAt: index };
      if (next.type === null) return { ok: true, type: null };
      current = next.type;
    }
    return { ok: true, type: current };
  }

  /** `.name` on a value of `type`: the property, the array's own member, or member enumeration. */
  property(
    type: JsonType,
    name: string,
  ): { ok: true; type: JsonType | null } | { ok: false; message: string } {
    const lower = name.toLowerCase();
    if (INTRINSIC_MEMBERS.has(lower)) return { ok: true, type: null };
    const found: SchemaNode[] = [];
    const has: string[] = [];
    let open = false;
    const look = (schema: SchemaNode, label: string, enumerated: boolean, depth: number): void => {
      for (const variant of this.variants(schema)) {
        const kinds = this.kinds(variant.schema);
        const variantLabel = variant.def && kinds.has('object') ? variant.def : label;
        if (kinds.has('any')) open = true;
        if (kinds.has('array')) {
          if (ARRAY_MEMBERS.has(lower) && !enumerated) found.push({ type: 'integer' });
          else if (depth < 8) {
            const items = isObject(variant.schema.items) ? variant.schema.items : {};
            const before = found.length;
            look(items, `${variantLabel}[]`, true, depth + 1);
            // Member enumeration: one value per item, arrays flattened one level.
            for (let i = before; i < found.length; i++) {
              found[i] = {
                type: 'array',
                items: this.items({ schema: found[i] as SchemaNode, label }).schema,
              };
            }
          }
        }
        if (kinds.has('object')) {
          const properties = isObject(variant.schema.properties)
            ? (variant.schema.properties as Record<string, SchemaNode>)
            : {};
          const key = Object.keys(properties).find((k) => k.toLowerCase() === lower);
          const extra = variant.schema.additionalProperties;
          if (key !== undefined) found.push(properties[key] as SchemaNode);
          else if (extra === undefined || extra === true) open = true;
          else if (isObject(extra)) found.push(extra);
          else has.push(`${variantLabel} has ${Object.keys(properties).join(', ') || 'no properties'}`);
        }
        if (kinds.has('string')) {
          if (lower === 'length') found.push({ type: 'integer' });
          else has.push(`${variantLabel} is a string`);
        }
        if (kinds.has('number')) has.push(`${variantLabel} is a number`);
        if (kinds.has('boolean')) has.push(`${variantLabel} is a boolean`);
      }
    };
    look(type.schema, type.label, false, 0);
    if (found.length > 0) {
      const schema = found.length === 1 ? (found[0] as SchemaNode) : { oneOf: found };
      return { ok: true, type: { schema, label: this.labelOf(schema, `${type.label}.${name}`) } };
    }
    if (open) return { ok: true, type: null };
    const detail = [...new Set(has)].join('; ');
    return {
      ok: false,
      message: `'${name}' is not a property of ${type.label}${detail ? ` (${detail})` : ''}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Tree helpers

const WRAPPERS = new Set([
  'pipeline',
  'pipeline_chain',
  'unary_expression',
  'assignment_value',
  'parenthesized_expression',
  'argument_expression',
  'statement_list',
  'left_assignment_expression',
]);

/** Named children without comments and empty statements. */
const parts = (node: Node): Node[] =>
  node.namedChildren.filter((c) => c.type !== 'comment' && c.type !== 'empty_statement');

function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    const children = parts(current);
    if (!WRAPPERS.has(current.type) || children.length !== 1) return current;
    current = children[0] as Node;
  }
}

/** `$Owner` -> `owner`, `$PSItem` -> `_`, `${x}` -> `x`; scope prefixes other than local/private are kept. */
export function variableKey(text: string): string {
  let name = text.replace(/^[$@]/, '');
  if (name.startsWith('{') && name.endsWith('}')) name = name.slice(1, -1);
  name = name.replace(/^(local|private):/i, '').toLowerCase();
  return name === 'psitem' ? '_' : name;
}

function commandName(command: Node): string | null {
  const name = command.childForFieldName('command_name');
  return name?.type === 'command_name' ? name.text : null;
}

const hasInvocationOperator = (command: Node): boolean =>
  command.namedChildren.some((c) => c.type === 'command_invocation_operator');

interface CommandArgument {
  /** The parameter name without `-` or `:`, or null for a positional argument. */
  parameter: string | null;
  parameterNode: Node | null;
  value: Node | null;
}

/** `-Name value` pairs and positional arguments, in order (a switch followed by a value reads it as its value). */
function commandArguments(command: Node): CommandArgument[] {
  const elements = command.childForFieldName('command_elements');
  const items = (elements ? parts(elements) : []).filter(
    (c) => c.type !== 'command_argument_sep' && c.type !== 'redirection',
  );
  const result: CommandArgument[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Node;
    if (item.type === 'command_parameter') {
      const next = items[i + 1];
      const value = next && next.type !== 'command_parameter' ? next : null;
      if (value) i++;
      result.push({ parameter: item.text.replace(/^-/, '').replace(/:$/, ''), parameterNode: item, value });
    } else {
      result.push({ parameter: null, parameterNode: null, value: item });
    }
  }
  return result;
}

function argumentValue(command: Node, parameter: string): Node | null {
  const lower = parameter.toLowerCase();
  return commandArguments(command).find((a) => a.parameter?.toLowerCase() === lower)?.value ?? null;
}

/** The string a constant string literal holds, or null. */
function stringValue(node: Node): string | null {
  const inner = unwrap(node);
  if (inner.type !== 'string_literal') return null;
  const literal = findStringLiterals(inner)[0];
  return literal && !literal.hasExpansion ? literal.value : null;
}

interface ChainParts {
  root: Node;
  steps: ChainStep[];
  isStatic: boolean;
}

/** The steps of a member access chain from its root, like findMemberAccessChains, on nodes. */
function chainParts(top: Node): ChainParts | null {
  const steps: ChainStep[] = [];
  let isStatic = false;
  let node = top;
  while (CHAIN_TYPES.has(node.type)) {
    const object = node.namedChild(0);
    if (!object) return null;
    if (node.children.some((c) => c.type === '::')) isStatic = true;
    const memberNode = node.namedChildren.find((c) => c.type === 'member_name');
    const member = memberNode ? memberNameOf(memberNode) : null;
    switch (node.type) {
      case 'member_access':
        steps.unshift(member ?? { kind: 'dynamic', text: memberNode?.text ?? '?' });
        break;
      case 'element_access':
        steps.unshift({ kind: 'index' });
        break;
      case 'invocation_where_expression':
        steps.unshift({ kind: 'method', name: 'Where' });
        break;
      case 'invocation_foreach_expression':
        steps.unshift({ kind: 'method', name: 'ForEach' });
        break;
      default:
        if (member?.kind === 'property') steps.unshift({ kind: 'method', name: member.name });
        else if (member) steps.unshift(member);
    }
    node = object;
  }
  return { root: unwrap(node), steps, isStatic };
}

function memberNameOf(memberNode: Node): ChainStep {
  const inner = memberNode.namedChild(0);
  if (inner?.type === 'simple_name') return { kind: 'property', name: inner.text };
  if (inner?.type === 'string_literal') {
    const value = stringValue(inner);
    if (value !== null) return { kind: 'property', name: value };
  }
  return { kind: 'dynamic', text: memberNode.text };
}

/** The top node of every maximal chain (chains inside arguments are listed on their own). */
function chainTops(root: Node): Node[] {
  return findNodes(root, ...CHAIN_TYPES).filter(
    (node) =>
      !(node.parent && CHAIN_TYPES.has(node.parent.type) && node.parent.namedChild(0)?.id === node.id),
  );
}

function paramKeys(scope: Node): string[] {
  let list: Node | undefined;
  if (scope.type === 'function_statement') {
    const declaration = scope.namedChildren.find((c) => c.type === 'function_parameter_declaration');
    const body = scope.namedChildren.find((c) => c.type === 'script_block');
    const block = declaration ?? body?.namedChildren.find((c) => c.type === 'param_block');
    list = block?.namedChildren.find((c) => c.type === 'parameter_list');
  } else {
    const block = scope.namedChildren.find((c) => c.type === 'param_block');
    list = block?.namedChildren.find((c) => c.type === 'parameter_list');
  }
  return (list?.namedChildren ?? [])
    .filter((c) => c.type === 'script_parameter')
    .map((p) => p.namedChildren.find((c) => c.type === 'variable'))
    .filter((v): v is Node => v !== undefined)
    .map((v) => variableKey(v.text));
}

// ---------------------------------------------------------------------------------------------
// Rules 1 and 2: every read of core JSON resolves in the schema; every core result is annotated

export interface Annotation {
  /** As written, with `$`. */
  variable: string;
  key: string;
  kind: string;
  line: number;
  column: number;
  /** `result`: holds Invoke-TapoCore's result; `object`: holds the Kind object itself. */
  shape: 'object' | 'result';
  /** The function (or script block, for `$_`) it applies in, by name; `<file>` outside functions. */
  scope: string;
}

export interface CheckedChain {
  line: number;
  column: number;
  text: string;
  /** The type the chain starts from. */
  rootType: string;
  /** The type it ends on; null when the chain leaves the schema (a method call, a dynamic name). */
  type: string | null;
}

export interface CoreJsonReport {
  problems: FileProblem[];
  annotations: Annotation[];
  chains: CheckedChain[];
  /** Invoke-TapoCore / Get-TapoCheckDocument calls looked at. */
  coreCalls: number;
}

const ANNOTATION = /^#\s*core-json\s*:\s*(\$(?:\{[^}]+\}|[\w:]+))\s+([A-Za-z_]\w*)\s*$/;
const ITEM_COMMANDS = new Set(['foreach-object', '%', 'foreach', 'where-object', '?', 'where']);
const NULL_VALUE = Symbol('null');
type ExprType = JsonType | null | typeof NULL_VALUE;

interface AnnotationState extends Annotation {
  comment: Node;
  scopeNode: Node;
  item: boolean;
  start: number;
  end: number;
  type: JsonType | null;
}

interface Binding {
  key: string;
  node: Node;
  scope: Node;
  kind: 'assign' | 'foreach';
  operator: string;
  /** The assigned value, or the foreach collection; null when it cannot be read (`[int]$x = ...`). */
  value: Node | null;
}

/** Checks one .ps1/.psm1 file's use of core JSON (see the header for the annotation's meaning). */
export function checkCoreJsonUsage(input: SourceFile, schema: ContractSchema): CoreJsonReport {
  return new CoreJsonAnalysis(input, schema).run();
}

class CoreJsonAnalysis {
  private readonly problems: FileProblem[] = [];
  private readonly tree: Tree;
  private readonly root: Node;
  private readonly annotations: AnnotationState[] = [];
  private readonly bindings: Binding[] = [];
  private readonly inferred = new Map<string, JsonType | null>();
  private readonly inProgress = new Set<string>();
  private readonly functions = new Map<string, Node>();
  private coreCalls = 0;

  constructor(
    private readonly input: SourceFile,
    private readonly schema: ContractSchema,
  ) {
    this.tree = parse(input);
    this.root = this.tree.rootNode;
    for (const fn of findNodes(this.root, 'function_statement')) {
      const name = fn.namedChildren.find((c) => c.type === 'function_name')?.text;
      if (name) this.functions.set(name.toLowerCase(), fn);
    }
  }

  private report(at: Place, message: string): void {
    this.problems.push(problem(this.input.file, at, message));
  }

  run(): CoreJsonReport {
    this.collectBindings();
    this.collectAnnotations();
    this.checkCoreCalls();
    for (const a of this.annotations) {
      if (!this.schema.hasKind(a.kind)) continue;
      if (a.shape === 'result') {
        a.type = this.schema.documentKinds.includes(a.kind) ? this.schema.resultType(a.kind) : null;
      } else {
        a.type = this.schema.objectType(a.kind);
      }
    }
    const chains = this.checkChains();
    this.checkAnnotationsAgree();
    this.checkArgumentFlows();
    this.checkAnnotationsUsed();
    this.tree.delete();
    return {
      problems: this.problems,
      annotations: this.annotations.map((a) => ({
        variable: a.variable,
        key: a.key,
        kind: a.kind,
        line: a.line,
        column: a.column,
        shape: a.shape,
        scope: a.scope,
      })),
      chains,
      coreCalls: this.coreCalls,
    };
  }

  // --- scopes

  /** The function a named variable belongs to (the program outside functions). */
  private functionOf(node: Node): Node {
    for (let p = node.parent; p; p = p.parent) if (p.type === 'function_statement') return p;
    return this.root;
  }

  /** The script block `$_` belongs to. */
  private blockOf(node: Node): Node {
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === 'script_block_expression' || p.type === 'function_statement') return p;
    }
    return this.root;
  }

  private shadowed(node: Node, key: string, scope: Node): boolean {
    for (let p = node.parent; p && p.id !== scope.id; p = p.parent) {
      if (p.type === 'script_block_expression' && paramKeys(p).includes(key)) return true;
    }
    return false;
  }

  private scopeName(scope: Node): string {
    if (scope.type === 'function_statement') {
      return scope.namedChildren.find((c) => c.type === 'function_name')?.text ?? '?';
    }
    if (scope.type === 'script_block_expression') {
      return `script block at ${scope.startPosition.row + 1} in ${this.scopeName(this.functionOf(scope))}`;
    }
    return '<file>';
  }

  private covers(a: AnnotationState, node: Node): boolean {
    if (node.startIndex < a.start || node.startIndex >= a.end) return false;
    if (a.item) return this.blockOf(node).id === a.scopeNode.id;
    return this.functionOf(node).id === a.scopeNode.id && !this.shadowed(node, a.key, a.scopeNode);
  }

  // --- collection

  private collectBindings(): void {
    for (const node of findNodes(this.root, 'assignment_expression')) {
      const left = node.namedChildren.find((c) => c.type === 'left_assignment_expression');
      const target = left ? unwrap(left) : null;
      const operator = node.namedChildren.find((c) => c.type === 'assignment_operator')?.text ?? '=';
      const afterOperator = parts(node).filter(
        (c) => c.type !== 'left_assignment_expression' && c.type !== 'assignment_operator',
      );
      const scope = this.functionOf(node);
      if (target?.type === 'variable') {
        this.bindings.push({
          key: variableKey(target.text),
          node,
          scope,
          kind: 'assign',
          operator,
          value: afterOperator[0] ?? null,
        });
      } else if (target && target.type !== 'member_access' && target.type !== 'element_access') {
        // `[int]$x = ...`, `$a, $b = ...`: the variables are bound to something not typed here.
        for (const variable of findNodes(target, 'variable')) {
          this.bindings.push({
            key: variableKey(variable.text),
            node,
            scope,
            kind: 'assign',
            operator,
            value: null,
          });
        }
      }
    }
    for (const node of findNodes(this.root, 'foreach_statement')) {
      const variable = node.namedChildren.find((c) => c.type === 'variable');
      const collection = node.namedChildren.find((c) => c.type === 'pipeline') ?? null;
      if (!variable) continue;
      this.bindings.push({
        key: variableKey(variable.text),
        node,
        scope: this.functionOf(node),
        kind: 'foreach',
        operator: 'in',
        value: collection,
      });
    }
  }

  private collectAnnotations(): void {
    for (const comment of findNodes(this.root, 'comment')) {
      const text = comment.text.trim();
      if (!/core-json/i.test(text)) continue;
      const match = ANNOTATION.exec(text);
      if (!match) {
        this.report(
          comment,
          `malformed core-json annotation ${JSON.stringify(firstLine(text))}: write "# core-json: $name Kind" on a line of its own`,
        );
        continue;
      }
      const variable = match[1] as string;
      const kind = match[2] as string;
      const key = variableKey(variable);
      const item = key === '_';
      if (!this.schema.hasKind(kind)) {
        this.report(
          comment,
          `core-json annotation of ${variable} names '${kind}', which is not a $def of the schema (it has ${this.schema.defNames.join(', ')})`,
        );
      }
      const scopeNode = item ? this.blockOf(comment) : this.functionOf(comment);
      this.annotations.push({
        variable,
        key,
        kind,
        line: comment.startPosition.row + 1,
        column: comment.startPosition.column + 1,
        shape: 'object',
        scope: this.scopeName(scopeNode),
        comment,
        scopeNode,
        item,
        start: comment.endIndex,
        end: scopeNode.endIndex,
        type: null,
      });
    }
    for (const a of this.annotations) {
      const next = this.annotations
        .filter((b) => b !== a && b.key === a.key && b.scopeNode.id === a.scopeNode.id && b.start > a.start)
        .map((b) => b.comment.startIndex);
      if (next.length > 0) a.end = Math.min(...next);
    }
  }

  private annotationAt(key: string, node: Node): AnnotationState | null {
    const covering = this.annotations.filter((a) => a.key === key && this.covers(a, node));
    return covering.sort((x, y) => y.start - x.start)[0] ?? null;
  }

  // --- rule 2: core calls

  private checkCoreCalls(): void {
    for (const command of findNodes(this.root, 'command')) {
      const name = commandName(command);
      if (!name || !(name.toLowerCase() in CORE_COMMANDS)) continue;
      this.coreCalls++;
      const destination = this.coreCallDestination(command);
      if ('discarded' in destination) continue; // $null = ..., [void](...), | Out-Null: nothing is read
      if ('problem' in destination) {
        this.report(
          command,
          `${name}'s result escapes the contract check: ${destination.problem}; assign it to a variable annotated "# core-json: $name Kind"`,
        );
        continue;
      }
      const { assignment, key, variable } = destination;
      const annotation = this.annotationAt(key, assignment);
      const expected = this.expectedKind(command);
      if (!annotation) {
        this.report(
          assignment,
          `${variable} is assigned from ${name} without a "# core-json: ${variable} ${expected.kind ?? 'Kind'}" annotation before it (in ${this.scopeName(this.functionOf(assignment))})`,
        );
        continue;
      }
      annotation.shape = 'result';
      const kinds = this.schema.documentKinds;
      if (this.schema.hasKind(annotation.kind) && !kinds.includes(annotation.kind)) {
        this.report(
          annotation.comment,
          `${variable} holds ${name}'s result, so its kind must be one the envelope's data can be (${kinds.join(', ')}), not ${annotation.kind}`,
        );
      } else if (expected.kind && expected.kind !== annotation.kind) {
        this.report(
          annotation.comment,
          `${variable} is annotated ${annotation.kind}, but ${name} at line ${command.startPosition.row + 1} runs '${expected.word}', which prints ${expected.kind}`,
        );
      }
      if (expected.word !== null && expected.kind === null) {
        this.report(
          command,
          `${name} runs '${expected.word}', a subcommand with no document kind (SUBCOMMAND_KINDS)`,
        );
      }
    }
  }

  /** Where a core call's output goes: the variable it is assigned to, or why it is not. */
  private coreCallDestination(
    command: Node,
  ): { assignment: Node; key: string; variable: string } | { problem: string } | { discarded: true } {
    let current = command;
    for (;;) {
      const parent = current.parent;
      if (!parent) return { problem: 'it is the script output' };
      switch (parent.type) {
        case 'pipeline_chain': {
          const elements = parts(parent);
          const index = elements.findIndex((e) => e.id === current.id);
          const next = elements[index + 1];
          if (next && next.type === 'command' && commandName(next)?.toLowerCase() === 'out-null') {
            return { discarded: true };
          }
          if (index >= 0 && next) return { problem: `it is piped into ${firstLine(next.text, 40)}` };
          break;
        }
        case 'cast_expression':
          if (/^\[void\]$/i.test(parent.namedChildren.find((c) => c.type === 'type_literal')?.text ?? '')) {
            return { discarded: true };
          }
          return { problem: 'it is cast' };
        case 'if_statement':
          if (parent.namedChildren.find((c) => c.type === 'pipeline')?.id === current.id) {
            return { problem: 'it is an if condition' };
          }
          break;
        case 'pipeline':
        case 'assignment_value':
        case 'statement_list':
        case 'script_block_body':
        case 'script_block':
        case 'statement_block':
        case 'parenthesized_expression':
        case 'unary_expression':
        case 'else_clause':
        case 'elseif_clause':
        case 'elseif_clauses':
          break;
        case 'script_block_expression': {
          // `& { ... }` / `& $module { ... }`: the block's output is the command's output.
          let up = parent.parent;
          while (
            up &&
            ['unary_expression', 'command_elements', 'path_command_name', 'command_name_expr'].includes(
              up.type,
            )
          ) {
            up = up.parent;
          }
          if (up?.type === 'command' && hasInvocationOperator(up)) {
            current = up;
            continue;
          }
          return { problem: 'it runs in a script block that is not invoked with &' };
        }
        case 'assignment_expression': {
          const left = parent.namedChildren.find((c) => c.type === 'left_assignment_expression');
          const target = left ? unwrap(left) : null;
          const operator = parent.namedChildren.find((c) => c.type === 'assignment_operator')?.text ?? '=';
          if (target?.type === 'variable' && operator === '=') {
            if (variableKey(target.text) === 'null') return { discarded: true };
            return { assignment: parent, key: variableKey(target.text), variable: target.text };
          }
          return { problem: `it is assigned with ${operator} to ${firstLine(left?.text ?? '?', 40)}` };
        }
        case 'flow_control_statement':
          return { problem: `it is the operand of ${parent.child(0)?.text ?? 'a flow statement'}` };
        case 'function_statement':
          return { problem: 'it is the output of its function' };
        case 'program':
          return { problem: 'it is the output of the script' };
        case 'command_elements':
          return { problem: 'it is passed as an argument' };
        default:
          if (CHAIN_TYPES.has(parent.type)) return { problem: 'its members are read directly' };
          return { problem: `it is used in a ${parent.type.replace(/_/g, ' ')}` };
      }
      current = parent;
    }
  }

  /** The kind of document a core call prints, from CORE_COMMANDS or the first word of -ArgumentList. */
  private expectedKind(command: Node): { kind: string | null; word: string | null } {
    const name = (commandName(command) ?? '').toLowerCase();
    const fixed = CORE_COMMANDS[name];
    if (fixed) return { kind: fixed, word: name };
    const value =
      argumentValue(command, 'ArgumentList') ??
      commandArguments(command).find((a) => a.parameter === null)?.value ??
      null;
    const word = value ? this.leadingWord(value, 0) : null;
    return { kind: word === null ? null : (SUBCOMMAND_KINDS[word] ?? null), word };
  }

  /** The first word of an argument list: `@('check', ...)`, `@('stop') + $x`, or a variable holding one. */
  private leadingWord(node: Node, depth: number): string | null {
    if (depth > 8) return null;
    const inner = unwrap(node);
    switch (inner.type) {
      case 'string_literal':
        return stringValue(inner);
      case 'array_expression': {
        const list = inner.namedChildren.find((c) => c.type === 'statement_list');
        const first = list ? parts(list)[0] : undefined;
        return first ? this.leadingWord(first, depth + 1) : null;
      }
      case 'array_literal_expression':
      case 'additive_expression': {
        const first = parts(inner)[0];
        return first ? this.leadingWord(first, depth + 1) : null;
      }
      case 'variable': {
        const key = variableKey(inner.text);
        const scope = this.functionOf(inner);
        const assigned = this.bindings.filter(
          (b) =>
            b.key === key &&
            b.kind === 'assign' &&
            b.operator === '=' &&
            b.scope.id === scope.id &&
            b.node.startIndex < inner.startIndex,
        );
        const last = assigned.at(-1);
        return last?.value ? this.leadingWord(last.value, depth + 1) : null;
      }
      default:
        return null;
    }
  }

  // --- typing

  private typeAt(key: string, node: Node): JsonType | null {
    if (key === '_') {
      const annotation = this.annotationAt('_', node);
      if (annotation) return annotation.type;
      return this.itemTypeOfBlock(this.blockOf(node));
    }
    const annotation = this.annotationAt(key, node);
    if (annotation) return annotation.type;
    const scope = this.functionOf(node);
    if (this.shadowed(node, key, scope)) return null;
    return this.inferredType(key, scope);
  }

  /** `$_` in `<typed> | ForEach-Object { ... }` (or Where-Object): the items of the typed value. */
  private itemTypeOfBlock(block: Node): JsonType | null {
    if (block.type !== 'script_block_expression') return null;
    let up = block.parent;
    while (up?.type === 'unary_expression') up = up.parent;
    const command = up?.type === 'command_elements' ? up.parent : null;
    if (!command || command.type !== 'command' || hasInvocationOperator(command)) return null;
    if (!ITEM_COMMANDS.has((commandName(command) ?? '').toLowerCase())) return null;
    const chain = command.parent;
    if (chain?.type !== 'pipeline_chain') return null;
    const elements = parts(chain);
    const index = elements.findIndex((e) => e.id === command.id);
    if (index <= 0) return null;
    const input = this.typeOfExpression(elements[index - 1] as Node);
    return input && input !== NULL_VALUE ? this.schema.items(input) : null;
  }

  /** A variable's type from every assignment to it in its function, when they all agree. */
  private inferredType(key: string, scope: Node): JsonType | null {
    const memo = `${scope.id}:${key}`;
    if (this.inferred.has(memo)) return this.inferred.get(memo) ?? null;
    if (this.inProgress.has(memo)) return null;
    this.inProgress.add(memo);
    let result: JsonType | null = null;
    if (!paramKeys(scope).includes(key)) {
      const types: JsonType[] = [];
      let unknown = false;
      for (const binding of this.bindings.filter((b) => b.key === key && b.scope.id === scope.id)) {
        const type = this.bindingType(binding);
        if (type === NULL_VALUE) continue;
        if (type === null) unknown = true;
        else types.push(type);
      }
      if (!unknown && types.length > 0) {
        const signature = this.schema.signature(types[0] as JsonType);
        const agree = types.every((t) => this.schema.signature(t) === signature);
        if ((agree && signature !== null) || types.length === 1) result = types[0] as JsonType;
      }
    }
    this.inProgress.delete(memo);
    this.inferred.set(memo, result);
    return result;
  }

  private bindingType(binding: Binding): ExprType {
    if (!binding.value) return null;
    if (binding.kind === 'foreach') {
      const collection = this.typeOfExpression(binding.value);
      return collection === NULL_VALUE ? NULL_VALUE : collection && this.schema.items(collection);
    }
    if (binding.operator !== '=') return null;
    return this.typeOfExpression(binding.value);
  }

  private typeOfExpression(node: Node): ExprType {
    const inner = unwrap(node);
    if (inner.type === 'variable') {
      const key = variableKey(inner.text);
      return key === 'null' ? NULL_VALUE : this.typeAt(key, inner);
    }
    if (CHAIN_TYPES.has(inner.type)) {
      const resolved = this.resolveChain(inner);
      return resolved && resolved.result.ok ? resolved.result.type : null;
    }
    if (inner.type === 'array_expression') {
      const list = inner.namedChildren.find((c) => c.type === 'statement_list');
      const statements = list ? parts(list) : [];
      if (statements.length !== 1) return null;
      const type = this.typeOfExpression(statements[0] as Node);
      return type && type !== NULL_VALUE ? this.schema.arrayOf(type) : null;
    }
    if (inner.type === 'command') {
      const name = (commandName(inner) ?? '').toLowerCase();
      if (!(name in CORE_COMMANDS)) return null;
      const { kind } = this.expectedKind(inner);
      return kind && this.schema.documentKinds.includes(kind) ? this.schema.resultType(kind) : null;
    }
    return null;
  }

  private resolveChain(top: Node): { parts: ChainParts; root: JsonType; result: ResolveResult } | null {
    const chain = chainParts(top);
    if (!chain || chain.isStatic) return null;
    const root = this.typeOfExpression(chain.root);
    if (!root || root === NULL_VALUE) return null;
    return { parts: chain, root, result: this.schema.resolve(root, chain.steps) };
  }

  // --- rule 1: chains

  private checkChains(): CheckedChain[] {
    const checked: CheckedChain[] = [];
    for (const top of chainTops(this.root)) {
      const resolved = this.resolveChain(top);
      if (!resolved) continue;
      const { parts: chain, root, result } = resolved;
      const text = firstLine(top.text);
      if (!result.ok) {
        const shown = describeSteps(chain.root.text, chain.steps.slice(0, result.failedAt + 1));
        this.report(top, `${shown}: ${result.message}`);
        continue;
      }
      checked.push({
        line: top.startPosition.row + 1,
        column: top.startPosition.column + 1,
        text,
        rootType: root.label,
        type: result.type?.label ?? null,
      });
    }
    return checked;
  }

  // --- annotations against what the code assigns

  private checkAnnotationsAgree(): void {
    for (const a of this.annotations) {
      if (!a.type) continue;
      const expected = this.schema.signature(a.type);
      if (a.item) {
        const input = this.itemTypeOfBlock(a.scopeNode);
        const actual = input && this.schema.signature(input);
        if (actual && actual !== expected) {
          this.report(
            a.comment,
            `${a.variable} is annotated ${a.kind}, but the pipeline hands this block ${actual}`,
          );
        }
        continue;
      }
      for (const binding of this.bindings.filter((b) => b.key === a.key && b.scope.id === a.scopeNode.id)) {
        const inRange = this.covers(a, binding.node);
        const isCore = a.shape === 'result' && this.isCoreAssignment(binding);
        if (isCore) continue;
        const type = this.bindingType(binding);
        if (type === NULL_VALUE) continue;
        const where = `line ${binding.node.startPosition.row + 1}`;
        if (type === null) {
          if (inRange) {
            this.report(
              binding.node,
              `${a.variable} is annotated ${a.kind} (line ${a.line}) but is assigned here from something the check cannot type; use another variable`,
            );
          }
          continue;
        }
        const actual = this.schema.signature(type);
        if (actual !== null && actual !== expected) {
          this.report(
            a.comment,
            `${a.variable} is annotated ${a.kind}${a.shape === 'result' ? ' (a core result)' : ''}, but ${where} assigns it ${actual}`,
          );
        }
      }
    }
  }

  private isCoreAssignment(binding: Binding): boolean {
    if (binding.kind !== 'assign' || !binding.value) return false;
    return findNodes(binding.value, 'command').some(
      (c) => (commandName(c) ?? '').toLowerCase() in CORE_COMMANDS,
    );
  }

  /** Typed values passed to this file's functions must meet an annotated parameter of the same kind. */
  private checkArgumentFlows(): void {
    for (const command of findNodes(this.root, 'command')) {
      const name = commandName(command);
      const callee = name ? this.functions.get(name.toLowerCase()) : undefined;
      if (!name || !callee) continue;
      const parameters = paramKeys(callee);
      for (const argument of commandArguments(command)) {
        if (!argument.parameter || !argument.value) continue;
        const key = argument.parameter.toLowerCase();
        if (!parameters.includes(key)) continue;
        const type = this.typeOfExpression(argument.value);
        if (!type || type === NULL_VALUE || !this.schema.isStructured(type)) continue;
        const actual = this.schema.signature(type) ?? type.label;
        const annotation = this.annotations.find(
          (a) => !a.item && a.key === key && a.scopeNode.id === callee.id && a.shape === 'object',
        );
        if (!annotation) {
          this.report(
            argument.value,
            `passes ${actual} to -${argument.parameter} of ${name}, whose $${argument.parameter} has no "# core-json: $${argument.parameter} Kind" annotation, so its reads go unchecked`,
          );
        } else if (annotation.type && this.schema.signature(annotation.type) !== actual) {
          this.report(
            argument.value,
            `passes ${actual} to -${argument.parameter} of ${name}, annotated ${annotation.kind} at line ${annotation.line}`,
          );
        }
      }
    }
  }

  private checkAnnotationsUsed(): void {
    const variables = findNodes(this.root, 'variable');
    for (const a of this.annotations) {
      const used = variables.some((v) => variableKey(v.text) === a.key && this.covers(a, v));
      if (!used) {
        this.report(
          a.comment,
          `core-json annotation of ${a.variable}, but ${a.variable} is not used after it in ${a.scope}`,
        );
      }
    }
  }
}

function describeSteps(root: string, steps: readonly ChainStep[]): string {
  return (
    root +
    steps
      .map((s) =>
        s.kind === 'property'
          ? `.${s.name}`
          : s.kind === 'method'
            ? `.${s.name}()`
            : s.kind === 'index'
              ? '[]'
              : `.${s.text}`,
      )
      .join('')
  );
}

/**
 * The keys of the [pscustomobject] a function returns last (Invoke-TapoCore's result), or null
 * when the module has no such function or it returns no such literal.
 */
export function coreResultKeys(module: SourceFile, functionName = 'Invoke-TapoCore'): string[] | null {
  const tree = parse(module);
  const fn = findNodes(tree.rootNode, 'function_statement').find(
    (f) =>
      f.namedChildren.find((c) => c.type === 'function_name')?.text.toLowerCase() ===
      functionName.toLowerCase(),
  );
  const literal = fn
    ? findHashLiterals(fn)
        .filter((h) => h.cast?.toLowerCase() === 'pscustomobject')
        .at(-1)
    : undefined;
  tree.delete();
  return literal ? literal.entries.map((e) => e.key) : null;
}

// ---------------------------------------------------------------------------------------------
// Rule 3: error codes and their categories

function hashAssignedTo(tree: Tree, variable: string): { literal: HashLiteral; node: Node } | null {
  for (const node of findNodes(tree.rootNode, 'assignment_expression')) {
    const left = node.namedChildren.find((c) => c.type === 'left_assignment_expression');
    const target = left ? unwrap(left) : null;
    if (target?.type !== 'variable' || variableKey(target.text) !== variable.toLowerCase()) continue;
    const value = parts(node).find(
      (c) => c.type !== 'left_assignment_expression' && c.type !== 'assignment_operator',
    );
    const literal = value ? findHashLiterals(value)[0] : undefined;
    if (literal) return { literal, node };
  }
  return null;
}

/** `[System.Management.Automation.ErrorCategory]::X`, `[ErrorCategory]::X` or `'X'` -> `X`. */
function categoryName(valueText: string, value: PowerShellValue | undefined): string | null {
  if (typeof value === 'string') return value;
  const match = /^\[(?:System\.Management\.Automation\.)?ErrorCategory\]::(\w+)$/i.exec(valueText.trim());
  return match?.[1] ?? null;
}

const isCategory = (name: string): boolean =>
  ERROR_CATEGORIES.some((c) => c.toLowerCase() === name.toLowerCase());

/**
 * The module's `$script:TapoErrorCategory` maps every error code the core has (and no other) to a
 * real ErrorCategory member.
 */
export function checkErrorCategoryTable(module: SourceFile, codes: readonly string[]): FileProblem[] {
  const problems: FileProblem[] = [];
  const tree = parse(module);
  const table = hashAssignedTo(tree, 'script:TapoErrorCategory');
  if (!table) {
    tree.delete();
    return [problem(module.file, { line: 1, column: 1 }, 'no $script:TapoErrorCategory = @{ ... } table')];
  }
  const keys = table.literal.entries.map((e) => e.key);
  for (const code of codes) {
    if (!keys.includes(code)) {
      problems.push(
        problem(
          module.file,
          table.literal,
          `$script:TapoErrorCategory has no entry for the core's error code ${code}`,
        ),
      );
    }
  }
  for (const entry of table.literal.entries) {
    if (!codes.includes(entry.key)) {
      problems.push(
        problem(
          module.file,
          entry,
          `$script:TapoErrorCategory maps ${entry.key}, which is not an error code of the core (src/contract/error-catalogue.ts)`,
        ),
      );
    }
    const category = categoryName(entry.valueText, entry.value);
    if (category === null) {
      problems.push(
        problem(
          module.file,
          entry,
          `${entry.key} maps to ${firstLine(entry.valueText)}, not to [System.Management.Automation.ErrorCategory]::<Name>`,
        ),
      );
    } else if (!isCategory(category)) {
      problems.push(
        problem(module.file, entry, `${entry.key} maps to ${category}, which is not an ErrorCategory member`),
      );
    }
  }
  tree.delete();
  return problems;
}

/** Every `[...ErrorCategory]::X` and every constant `-Category X` in a file names a real member. */
export function checkErrorCategoryNames(input: SourceFile): FileProblem[] {
  const problems: FileProblem[] = [];
  const tree = parse(input);
  for (const top of chainTops(tree.rootNode)) {
    const chain = chainParts(top);
    if (!chain || chain.root.type !== 'type_literal') continue;
    if (!/^\[(?:System\.Management\.Automation\.)?ErrorCategory\]$/i.test(chain.root.text)) continue;
    const first = chain.steps[0];
    if (first?.kind === 'property' && !isCategory(first.name)) {
      problems.push(problem(input.file, top, `${first.name} is not an ErrorCategory member`));
    }
  }
  for (const command of findNodes(tree.rootNode, 'command')) {
    for (const argument of commandArguments(command)) {
      if (argument.parameter?.toLowerCase() !== 'category' || !argument.value) continue;
      const value = unwrap(argument.value);
      const name = value.type === 'generic_token' ? value.text : stringValue(value);
      if (name !== null && /^\w+$/.test(name) && !isCategory(name)) {
        problems.push(problem(input.file, value, `-Category ${name}: not an ErrorCategory member`));
      }
    }
  }
  tree.delete();
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Rule 4: exit codes

/** Names of ExitCode whose value an earlier name already has (`stopped` = `ok`): they may be absent. */
function exitCodeAliases(exitCodes: Readonly<Record<string, number>>): Set<string> {
  const seen = new Set<number>();
  const aliases = new Set<string>();
  for (const [name, value] of Object.entries(exitCodes)) {
    if (seen.has(value)) aliases.add(name.toLowerCase());
    seen.add(value);
  }
  return aliases;
}

interface ExitEntry {
  /** The exit code's name, compared case-insensitively with ExitCode's. */
  name: string;
  /** How the file spells it: `$script:TapoExitCode.Ok`, `$ExitOk`. */
  label: string;
  value: number | null;
  at: Place;
}

function compareExitNames(
  file: string,
  what: string,
  entries: ExitEntry[],
  exitCodes: Readonly<Record<string, number>>,
  requireAll: boolean,
  tableAt: Place,
): FileProblem[] {
  const problems: FileProblem[] = [];
  const byName = new Map(Object.entries(exitCodes).map(([n, v]) => [n.toLowerCase(), { name: n, value: v }]));
  for (const entry of entries) {
    const core = byName.get(entry.name.toLowerCase());
    if (!core) {
      problems.push(
        problem(
          file,
          entry.at,
          `${entry.label}: the core has no exit code of that name (src/contract/exit-codes.ts)`,
        ),
      );
    } else if (entry.value !== core.value) {
      problems.push(
        problem(
          file,
          entry.at,
          `${entry.label} = ${entry.value ?? '(not a number)'}, but the core's ExitCode.${core.name} is ${core.value}`,
        ),
      );
    }
  }
  if (requireAll) {
    const aliases = exitCodeAliases(exitCodes);
    const present = new Set(entries.map((e) => e.name.toLowerCase()));
    for (const [name, value] of Object.entries(exitCodes)) {
      if (!present.has(name.toLowerCase()) && !aliases.has(name.toLowerCase())) {
        problems.push(problem(file, tableAt, `${what} lacks ${name} (${value}) of the core's ExitCode`));
      }
    }
  }
  return problems;
}

/**
 * `$script:TapoExitCode` has the core's exit codes (names case-insensitive; aliases such as
 * `stopped` may be absent); `$script:TapoExitCode.X` reads only names it has; `-ExitCode <n>`
 * literals are exit codes of the core.
 */
export function checkModuleExitCodes(
  module: SourceFile,
  exitCodes: Readonly<Record<string, number>>,
  /** The module's other files (dot-sourced beside the table): their reads and -ExitCode values. */
  others: readonly SourceFile[] = [],
): FileProblem[] {
  const tree = parse(module);
  const table = hashAssignedTo(tree, 'script:TapoExitCode');
  const problems: FileProblem[] = [];
  let keys: Set<string> | null = null;
  if (!table) {
    problems.push(problem(module.file, { line: 1, column: 1 }, 'no $script:TapoExitCode = @{ ... } table'));
  } else {
    const entries = table.literal.entries.map((e) => ({
      name: e.key,
      label: `$script:TapoExitCode.${e.key}`,
      value: typeof e.value === 'number' ? e.value : null,
      at: e,
    }));
    problems.push(
      ...compareExitNames(module.file, '$script:TapoExitCode', entries, exitCodes, true, table.literal),
    );
    keys = new Set(entries.map((e) => e.name.toLowerCase()));
  }
  tree.delete();
  for (const file of [module, ...others]) problems.push(...checkExitCodeUses(file, keys, exitCodes));
  return problems;
}

/** Reads of `$script:TapoExitCode.<name>` that the table has, and `-ExitCode <n>` values the core uses. */
function checkExitCodeUses(
  file: SourceFile,
  keys: ReadonlySet<string> | null,
  exitCodes: Readonly<Record<string, number>>,
): FileProblem[] {
  const tree = parse(file);
  const problems: FileProblem[] = [];
  if (keys !== null) {
    for (const top of chainTops(tree.rootNode)) {
      const chain = chainParts(top);
      if (chain?.root.type !== 'variable' || variableKey(chain.root.text) !== 'script:tapoexitcode') continue;
      const first = chain.steps[0];
      if (first?.kind === 'property' && !keys.has(first.name.toLowerCase())) {
        problems.push(
          problem(file.file, top, `$script:TapoExitCode.${first.name}: the table has no such name`),
        );
      }
    }
  }
  const values = new Set(Object.values(exitCodes));
  for (const command of findNodes(tree.rootNode, 'command')) {
    for (const argument of commandArguments(command)) {
      if (argument.parameter?.toLowerCase() !== 'exitcode' || !argument.value) continue;
      const value = unwrap(argument.value);
      if (value.type === 'integer_literal' && !values.has(Number(value.text))) {
        problems.push(problem(file.file, value, `-ExitCode ${value.text} is not an exit code of the core`));
      }
    }
  }
  tree.delete();
  return problems;
}

/** A script's own `$ExitX = <n>` constants match the core's ExitCode.x. */
export function checkScriptExitConstants(
  script: SourceFile,
  exitCodes: Readonly<Record<string, number>>,
): FileProblem[] {
  const tree = parse(script);
  const entries: ExitEntry[] = [];
  for (const node of findNodes(tree.rootNode, 'assignment_expression')) {
    const left = node.namedChildren.find((c) => c.type === 'left_assignment_expression');
    const target = left ? unwrap(left) : null;
    const match = target?.type === 'variable' ? /^exit([a-z]\w*)$/i.exec(variableKey(target.text)) : null;
    if (!match || !/^\$(?:script:)?Exit[A-Z]/.test(target?.text ?? '')) continue;
    const value = parts(node).find(
      (c) => c.type !== 'left_assignment_expression' && c.type !== 'assignment_operator',
    );
    const inner = value ? unwrap(value) : null;
    entries.push({
      name: match[1] as string,
      label: target?.text ?? '',
      value: inner?.type === 'integer_literal' ? Number(inner.text) : null,
      at: node,
    });
  }
  tree.delete();
  const problems = compareExitNames(script.file, 'exit constants', entries, exitCodes, false, {
    line: 1,
    column: 1,
  });
  if (entries.length === 0) {
    problems.push(problem(script.file, { line: 1, column: 1 }, 'no $Exit<Name> = <code> constants found'));
  }
  return problems;
}

/** The codes in the first column of every markdown table whose header starts with `code`. */
export function exitCodesInMarkdown(markdown: string): { code: number; line: number }[] {
  const lines = markdown.split(/\r?\n/);
  const found: { code: number; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\|\s*code\s*\|/i.test(lines[i] as string) || !/^\|[\s:|-]+$/.test(lines[i + 1] ?? '')) continue;
    for (let j = i + 2; j < lines.length && (lines[j] as string).startsWith('|'); j++) {
      const cell = (lines[j] as string).split('|')[1] ?? '';
      for (const match of cell.matchAll(/\d+/g)) found.push({ code: Number(match[0]), line: j + 1 });
    }
  }
  return found;
}

/** The exit tables of a markdown file mention every exit code of the core. */
export function checkExitCodeDocs(
  doc: SourceFile,
  exitCodes: Readonly<Record<string, number>>,
): FileProblem[] {
  const documented = exitCodesInMarkdown(doc.source);
  if (documented.length === 0) {
    return [
      problem(
        doc.file,
        { line: 1, column: 1 },
        'no exit code table (a markdown table whose first column is "code")',
      ),
    ];
  }
  const codes = new Set(documented.map((d) => d.code));
  const problems: FileProblem[] = [];
  const byValue = new Map<number, string[]>();
  for (const [name, value] of Object.entries(exitCodes))
    byValue.set(value, [...(byValue.get(value) ?? []), name]);
  const first = documented[0] as { line: number };
  for (const [value, names] of byValue) {
    if (!codes.has(value)) {
      problems.push(
        problem(
          doc.file,
          { line: first.line, column: 1 },
          `the exit tables do not mention ${value} (${names.join('/')})`,
        ),
      );
    }
  }
  for (const d of documented) {
    if (!byValue.has(d.code))
      problems.push(
        problem(doc.file, { line: d.line, column: 1 }, `exit code ${d.code} is not one of the core's`),
      );
  }
  return problems;
}
