// A real PowerShell parser for the static checks: web-tree-sitter with the tree-sitter-pwsh
// grammar (wasm). No PowerShell runs on these machines, so this is what proves our .ps1/.psm1/
// .psd1 files parse, and what the contract checks read them with.
//
// The grammar's wasm is large; V8's optimizing tier compiles it for seconds of CPU after every
// run (the process cannot exit before that). Baseline code (Liftoff) is fast enough to parse our
// files, so TurboFan is switched off before anything is compiled: V8 reads wasm flags when it
// compiles a module, and web-tree-sitter compiles nothing until `Parser.init()` below.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import type { Node, Tree } from 'web-tree-sitter';

v8.setFlagsFromString('--liftoff-only');

// Imported dynamically so that nothing of web-tree-sitter can run before the flag is set.
const { Parser, Language } = await import('web-tree-sitter');
await Parser.init();
const grammarPath = createRequire(import.meta.url).resolve('tree-sitter-pwsh/tree-sitter-powershell.wasm');
const language = await Language.load(readFileSync(grammarPath));
const parser = new Parser();
parser.setLanguage(language);

export type { Node, Tree };

/** 1-based line and column; columns count UTF-16 code units, as JavaScript strings do. */
export interface Position {
  line: number;
  column: number;
}

export interface PowerShellSyntaxError extends Position {
  /**
   * `error`: the grammar could not parse the text here; `missing`: a token the grammar expected
   * is absent (it inserted an empty one); `semantic`: parses, but PowerShell's own parser rejects it.
   */
  kind: 'error' | 'missing' | 'semantic';
  text: string;
}

export interface ParseResult {
  errors: PowerShellSyntaxError[];
  tree: Tree;
}

type Root = Tree | Node;

const rootOf = (root: Root): Node => ('rootNode' in root ? root.rootNode : root);
const positionOf = (node: Node): Position => ({
  line: node.startPosition.row + 1,
  column: node.startPosition.column + 1,
});
const firstLine = (text: string, max = 60): string => {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}...` : line;
};

/** Every node under `root` (itself included), depth first, in source order. */
export function* walk(root: Root): Generator<Node> {
  const stack: Node[] = [rootOf(root)];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    yield node;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) stack.push(child);
    }
  }
}

/** Every node of the given grammar type(s), in source order. */
export function findNodes(root: Root, ...types: string[]): Node[] {
  return [...walk(root)].filter((node) => types.includes(node.type));
}

/** Skips wrappers that only hold one expression (pipeline, unary_expression, ...). */
function unwrap(node: Node): Node {
  const wrappers = new Set([
    'pipeline',
    'pipeline_chain',
    'unary_expression',
    'assignment_value',
    'argument_expression',
    'statement_list',
    'key_expression',
  ]);
  let current = node;
  while (wrappers.has(current.type) && current.namedChildCount === 1) {
    current = current.namedChild(0) as Node;
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Syntax errors

/**
 * Parses `source` and lists every ERROR and MISSING node of the tree (plus the few mistakes
 * PowerShell's parser rejects that the grammar accepts), sorted by position. A leading BOM is
 * ignored so columns match what an editor shows.
 */
export function parsePowerShell(source: string): ParseResult {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  const errors: PowerShellSyntaxError[] = [];
  for (const node of walk(tree)) {
    if (node.isMissing) {
      errors.push({ ...positionOf(node), kind: 'missing', text: `missing ${JSON.stringify(node.type)}` });
    } else if (node.isError) {
      // An ERROR node may start on the blanks before the offending text: point at the text.
      const indent = /^[ \t]*/.exec(node.text)?.[0].length ?? 0;
      const { line, column } = positionOf(node);
      const text = `cannot parse ${JSON.stringify(firstLine(node.text.slice(indent)))}`;
      errors.push({ line, column: column + indent, kind: 'error', text });
    }
  }
  if (errors.length === 0 && tree.rootNode.hasError) {
    errors.push({
      line: 1,
      column: 1,
      kind: 'error',
      text: 'the parser reported an error it did not locate',
    });
  }
  errors.push(...semanticErrors(tree));
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { errors, tree };
}

/** PowerShell parse errors that the tree-sitter grammar lets through. */
function semanticErrors(tree: Tree): PowerShellSyntaxError[] {
  const errors: PowerShellSyntaxError[] = [];
  for (const node of walk(tree)) {
    if (node.type === 'try_statement') {
      const handled = node.namedChildren.some(
        (c) => c.type === 'catch_clauses' || c.type === 'finally_clause',
      );
      if (!handled) {
        errors.push({ ...positionOf(node), kind: 'semantic', text: 'try block without catch or finally' });
      }
    } else if (node.type === 'hash_literal_body') {
      const seen = new Set<string>();
      for (const entry of node.namedChildren.filter((c) => c.type === 'hash_entry')) {
        const key = constantKey(entry);
        if (key === null) continue;
        if (seen.has(key.toLowerCase())) {
          errors.push({
            ...positionOf(entry),
            kind: 'semantic',
            text: `duplicate key '${key}' in hash literal`,
          });
        }
        seen.add(key.toLowerCase());
      }
    } else if (node.type === 'parameter_list') {
      const seen = new Set<string>();
      for (const parameter of node.namedChildren
        .filter((c) => c.type === 'script_parameter')
        .flatMap(describeParameter)) {
        const name = parameter.name.toLowerCase();
        if (name && seen.has(name)) {
          errors.push({
            line: parameter.line,
            column: parameter.column,
            kind: 'semantic',
            text: `duplicate parameter $${parameter.name}`,
          });
        }
        seen.add(name);
      }
    }
  }
  return errors;
}

function constantKey(entry: Node): string | null {
  const keyNode = entry.namedChildren.find((c) => c.type === 'key_expression');
  if (!keyNode) return null;
  const inner = unwrap(keyNode);
  if (inner.type === 'simple_name') return inner.text;
  try {
    const value = evaluateNode(inner);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  } catch {
    return null;
  }
}

/** `$script:Foo` -> `Foo`, `${env:Path}` -> `env:Path`, `@args` -> `args`. */
export function variableName(text: string): string {
  const bare = text.replace(/^[$@]/, '');
  const unbraced = bare.startsWith('{') && bare.endsWith('}') ? bare.slice(1, -1) : bare;
  return unbraced.replace(/^(script|global|local|private|using):/i, '');
}

// ---------------------------------------------------------------------------------------------
// PowerShell 7-only syntax (our files must also run on Windows PowerShell 5.1)

export interface PowerShell7Construct extends Position {
  construct: string;
  text: string;
}

/** Constructs that Windows PowerShell 5.1 cannot parse: `? :`, `??`, `??=`, `&&`, `||`, `clean {}`. */
export function findPowerShell7Syntax(root: Root): PowerShell7Construct[] {
  const found: PowerShell7Construct[] = [];
  const add = (node: Node, construct: string): void => {
    found.push({ ...positionOf(node), construct, text: firstLine(node.text) });
  };
  for (const node of walk(root)) {
    if (node.type === 'ternary_expression') add(node, 'ternary operator ? :');
    else if (node.type === 'null_coalesce_expression') add(node, 'null-coalescing operator ??');
    else if (node.type === '??=') add(node, 'null-coalescing assignment ??=');
    else if (node.type === '&&' || node.type === '||') add(node, `pipeline chain operator ${node.type}`);
    else if (node.type === 'block_name' && node.text.toLowerCase() === 'clean') add(node, 'clean block');
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Constant values: .psd1 data files, attribute arguments, hashtable values

/** Thrown when an expression is not a constant a data file may hold. */
export class NotConstantError extends Error {
  constructor(
    readonly node: Node,
    what: string,
  ) {
    super(
      `${what} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${firstLine(node.text)}`,
    );
    this.name = 'NotConstantError';
  }
}

export type PowerShellValue = string | number | boolean | null | PowerShellValue[] | PowerShellData;
export interface PowerShellData {
  [key: string]: PowerShellValue;
}

/**
 * Evaluates a data file (.psd1) the way Import-PowerShellDataFile does for the restricted
 * language: hashtables, arrays, strings without expansions, numbers, $true/$false/$null.
 * Throws on syntax errors and on anything else (commands, variables, casts, expansions).
 */
export function evaluatePowerShellData(source: string): PowerShellValue {
  const { errors, tree } = parsePowerShell(source);
  if (errors.length > 0) {
    const first = errors[0] as PowerShellSyntaxError;
    throw new Error(`syntax error at ${first.line}:${first.column}: ${first.text}`);
  }
  const statementList = tree.rootNode.namedChildren.find((c) => c.type === 'statement_list');
  const statements = statementList?.namedChildren.filter(
    (c) => c.type !== 'comment' && c.type !== 'empty_statement',
  );
  if (!statements || statements.length !== 1) {
    throw new Error(`a data file holds exactly one value; found ${statements?.length ?? 0} statements`);
  }
  return evaluateNode(statements[0] as Node);
}

function evaluateNode(input: Node): PowerShellValue {
  const node = unwrap(input);
  switch (node.type) {
    case 'hash_literal_expression': {
      const result: PowerShellData = {};
      const body = node.namedChildren.find((c) => c.type === 'hash_literal_body');
      for (const entry of body?.namedChildren.filter((c) => c.type === 'hash_entry') ?? []) {
        const key = constantKey(entry);
        const value = entry.namedChildren.find((c) => c.type !== 'key_expression' && c.type !== 'comment');
        if (key === null) throw new NotConstantError(entry, 'hashtable key is not a constant');
        if (!value) throw new NotConstantError(entry, 'hashtable entry has no value');
        result[key] = evaluateNode(value);
      }
      return result;
    }
    case 'array_expression': {
      const list = node.namedChildren.find((c) => c.type === 'statement_list');
      const values: PowerShellValue[] = [];
      for (const statement of list?.namedChildren ?? []) {
        if (statement.type === 'comment' || statement.type === 'empty_statement') continue;
        const value = evaluateNode(statement);
        if (unwrap(statement).type === 'array_literal_expression')
          values.push(...(value as PowerShellValue[]));
        else values.push(value);
      }
      return values;
    }
    case 'array_literal_expression':
      return node.namedChildren.filter((c) => c.type !== 'comment').map(evaluateNode);
    case 'string_literal': {
      const literal = describeStringLiteral(node);
      if (literal.hasExpansion) throw new NotConstantError(node, 'string with expansions is not a constant');
      return literal.value;
    }
    case 'integer_literal':
    case 'real_literal':
      return evaluateNumber(node);
    case 'expression_with_unary_operator': {
      const [operator, operand] = node.children;
      if (operator && operand && (operator.text === '-' || operator.text === '+')) {
        const value = evaluateNode(operand);
        if (typeof value === 'number') return operator.text === '-' ? -value : value;
      }
      throw new NotConstantError(node, 'unary expression is not a constant');
    }
    case 'variable': {
      const name = node.text.toLowerCase();
      if (name === '$true') return true;
      if (name === '$false') return false;
      if (name === '$null') return null;
      throw new NotConstantError(node, 'variable is not a constant');
    }
    default:
      throw new NotConstantError(node, `${node.type} is not a constant`);
  }
}

function evaluateNumber(node: Node): number {
  const text = node.text.toLowerCase();
  const multipliers: Record<string, number> = {
    kb: 2 ** 10,
    mb: 2 ** 20,
    gb: 2 ** 30,
    tb: 2 ** 40,
    pb: 2 ** 50,
  };
  const match =
    /^(0x[0-9a-f]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)(l|d|u|ul|y|uy|s|us|n)?(kb|mb|gb|tb|pb)?$/.exec(
      text,
    );
  if (!match) throw new NotConstantError(node, 'number literal not understood');
  const base = (match[1] as string).startsWith('0x')
    ? Number.parseInt(match[1] as string, 16)
    : Number(match[1]);
  return base * (match[3] ? (multipliers[match[3]] as number) : 1);
}

// ---------------------------------------------------------------------------------------------
// String literals

export type StringLiteralKind = 'verbatim' | 'expandable' | 'verbatim-here' | 'expandable-here';

export interface StringLiteral extends Position {
  kind: StringLiteralKind;
  /**
   * The content without quotes: `''` unescaped in verbatim strings; backtick escapes and `""`
   * unescaped in expandable strings, where `$name` and `$(...)` are left as written.
   */
  value: string;
  /** An expandable string that holds `$variable` or `$(...)`: its runtime value differs from `value`. */
  hasExpansion: boolean;
  text: string;
}

/** Every string literal, including those inside `$(...)` and here-strings, in source order. */
export function findStringLiterals(root: Root): StringLiteral[] {
  return findNodes(root, 'string_literal').map(describeStringLiteral);
}

const BACKTICK_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function describeStringLiteral(node: Node): StringLiteral {
  const inner = node.namedChild(0);
  const text = node.text;
  const base = { ...positionOf(node), text };
  switch (inner?.type) {
    case 'verbatim_here_string_characters':
      return { ...base, kind: 'verbatim-here', value: hereStringBody(text), hasExpansion: false };
    case 'expandable_here_string_literal':
      return {
        ...base,
        kind: 'expandable-here',
        value: unescapeBackticks(hereStringBody(text)),
        hasExpansion: inner.namedChildren.some((c) => c.type === 'variable' || c.type === 'sub_expression'),
      };
    case 'expandable_string_literal':
      return {
        ...base,
        kind: 'expandable',
        value: unescapeBackticks(text.slice(1, -1).replace(/""/g, '"')),
        hasExpansion: inner.namedChildren.some((c) => c.type === 'variable' || c.type === 'sub_expression'),
      };
    default:
      return { ...base, kind: 'verbatim', value: text.slice(1, -1).replace(/''/g, "'"), hasExpansion: false };
  }
}

/** `@'<newline>body<newline>'@` -> `body` (the line breaks next to the quotes are not content). */
function hereStringBody(text: string): string {
  return text.replace(/^@["']\r?\n?/, '').replace(/\r?\n?["']@$/, '');
}

function unescapeBackticks(text: string): string {
  return text.replace(/`(.)/gs, (_, c: string) => BACKTICK_ESCAPES[c] ?? c);
}

// ---------------------------------------------------------------------------------------------
// Commands

export interface CommandCall extends Position {
  /** As written, quotes removed: `Get-Command`, `$node`, `C:\tools\node.exe`. */
  name: string;
  /** `&` (call) or `.` (dot-source), when the command was invoked through one. */
  invocation: '&' | '.' | null;
  /** The name is computed at run time (a variable, a script block, an expression). */
  dynamic: boolean;
  /** Named parameters as written, in order: `['-Name', '-ErrorAction']`. */
  parameters: string[];
  text: string;
}

/** Every command invocation (cmdlets, functions, native programs, `& $x`, `. $file`). */
export function findCommands(root: Root): CommandCall[] {
  return findNodes(root, 'command').map((node) => {
    const operator = node.namedChildren.find((c) => c.type === 'command_invocation_operator');
    const nameNode = node.childForFieldName('command_name');
    const elements = node.childForFieldName('command_elements');
    let name = nameNode?.text ?? '';
    let dynamic = false;
    if (nameNode?.type === 'command_name_expr') {
      const inner = unwrap(nameNode.namedChild(0) ?? nameNode);
      const core =
        inner.type === 'path_command_name' && inner.namedChildCount === 1
          ? unwrap(inner.namedChild(0) as Node)
          : inner;
      if (core.type === 'string_literal') {
        const literal = describeStringLiteral(core);
        name = literal.value;
        dynamic = literal.hasExpansion;
      } else {
        dynamic = core.type !== 'path_command_name' && core.type !== 'command_name';
      }
    } else if (nameNode?.namedChildren.some((c) => c.type === 'variable' || c.type === 'sub_expression')) {
      dynamic = true;
    }
    return {
      ...positionOf(node),
      name,
      invocation: operator ? (operator.text as '&' | '.') : null,
      dynamic,
      parameters:
        elements?.namedChildren.filter((c) => c.type === 'command_parameter').map((c) => c.text) ?? [],
      text: firstLine(node.text),
    };
  });
}

/** The distinct names of the commands that are not computed at run time, in first-use order. */
export function findCommandNames(root: Root): string[] {
  return [
    ...new Set(
      findCommands(root)
        .filter((c) => !c.dynamic)
        .map((c) => c.name),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Member access chains: `$result.data.owners[0].pid`

export interface MemberAccessChain extends Position {
  /** The expression the chain starts from, as written: `$result`, `$_`, `[Console]`, `(Get-Item x)`. */
  root: string;
  rootKind: 'variable' | 'type' | 'expression';
  /**
   * One entry per step: a property name as written (quotes removed), `[]` for an index,
   * `Name()` for a method call (also `Where()`/`ForEach()`), `$var`/`(...)` for a computed name.
   */
  path: string[];
  /** The first step is static (`[Console]::OutputEncoding`). */
  static: boolean;
  /** The chain is the target of an assignment (`$x.a.b = 1`), so it writes rather than reads. */
  assigned: boolean;
  text: string;
}

export const CHAIN_TYPES = new Set([
  'member_access',
  'invocation_expression',
  'invocation_where_expression',
  'invocation_foreach_expression',
  'element_access',
]);

/**
 * Every maximal chain of property reads, index and method calls that has at least one member
 * step, in source order. Chains nested in arguments or script blocks are listed on their own.
 */
export function findMemberAccessChains(root: Root): MemberAccessChain[] {
  const chains: MemberAccessChain[] = [];
  for (const node of walk(root)) {
    if (!CHAIN_TYPES.has(node.type)) continue;
    if (node.parent && CHAIN_TYPES.has(node.parent.type) && chainObject(node.parent)?.equals(node)) continue;
    const chain = describeChain(node);
    if (chain && chain.path.some((step) => step !== '[]')) chains.push(chain);
  }
  return chains;
}

/** The expression a chain step applies to (its first named child). */
function chainObject(node: Node): Node | null {
  return node.namedChild(0);
}

function describeChain(top: Node): MemberAccessChain | null {
  const path: string[] = [];
  let isStatic = false;
  let node: Node = top;
  while (CHAIN_TYPES.has(node.type)) {
    const object = chainObject(node);
    if (!object) return null;
    const operator = node.children.find((c) => c.type === '.' || c.type === '::');
    const memberNode = node.namedChildren.find((c) => c.type === 'member_name');
    const member = memberNode ? memberName(memberNode) : null;
    switch (node.type) {
      case 'member_access':
        path.unshift(member ?? '?');
        break;
      case 'element_access':
        path.unshift('[]');
        break;
      case 'invocation_where_expression':
        path.unshift('Where()');
        break;
      case 'invocation_foreach_expression':
        path.unshift('ForEach()');
        break;
      default:
        // invocation_expression: either `x.Name(...)` or a wrapper of Where()/ForEach().
        if (member !== null) path.unshift(`${member}()`);
    }
    isStatic = operator?.type === '::';
    node = object;
  }
  const rootNode = unwrap(node);
  const rootKind =
    rootNode.type === 'variable' ? 'variable' : rootNode.type === 'type_literal' ? 'type' : 'expression';
  return {
    ...positionOf(top),
    root: rootNode.text,
    rootKind,
    path,
    static: isStatic,
    assigned: isAssignmentTarget(top),
    text: firstLine(top.text),
  };
}

function memberName(memberNode: Node): string {
  const inner = memberNode.namedChild(0);
  if (inner?.type === 'string_literal') return describeStringLiteral(inner).value;
  return inner?.text ?? memberNode.text;
}

function isAssignmentTarget(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'left_assignment_expression') return true;
    if (current.type !== 'unary_expression' && current.type !== 'array_literal_expression') return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// foreach loops: which variable walks which collection

export interface ForeachLoop extends Position {
  /** `$owner` in `foreach ($owner in $result.data.owners)`. */
  variable: string;
  /** The collection as written. */
  collection: string;
  /** The collection when it is a member access chain (for schema checks of `$owner.pid`). */
  collectionChain: MemberAccessChain | null;
}

export function findForeachLoops(root: Root): ForeachLoop[] {
  return findNodes(root, 'foreach_statement').map((node) => {
    const variable = node.namedChildren.find((c) => c.type === 'variable');
    const collection = node.namedChildren.find((c) => c.type === 'pipeline');
    const inner = collection ? unwrap(collection) : null;
    return {
      ...positionOf(node),
      variable: variable?.text ?? '',
      collection: collection?.text ?? '',
      collectionChain: inner && CHAIN_TYPES.has(inner.type) ? describeChain(inner) : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Hashtable literals: `[pscustomobject]@{ PSTypeName = 'Tapo.PortOwner'; ... }`

export interface HashEntry extends Position {
  key: string;
  /** The value as a constant (see evaluatePowerShellData), or undefined when it is computed. */
  value: PowerShellValue | undefined;
  valueText: string;
}

export interface HashLiteral extends Position {
  /** The type the literal is cast to, as written without brackets (`pscustomobject`, `ordered`), or null. */
  cast: string | null;
  entries: HashEntry[];
  text: string;
}

export function findHashLiterals(root: Root): HashLiteral[] {
  return findNodes(root, 'hash_literal_expression').map((node) => {
    const body = node.namedChildren.find((c) => c.type === 'hash_literal_body');
    const entries = (body?.namedChildren.filter((c) => c.type === 'hash_entry') ?? []).map((entry) => {
      const valueNode = entry.namedChildren.find((c) => c.type !== 'key_expression' && c.type !== 'comment');
      let value: PowerShellValue | undefined;
      try {
        value = valueNode ? evaluateNode(valueNode) : undefined;
      } catch {
        value = undefined;
      }
      return { ...positionOf(entry), key: constantKey(entry) ?? '', value, valueText: valueNode?.text ?? '' };
    });
    return { ...positionOf(node), cast: castOf(node), entries, text: firstLine(node.text) };
  });
}

function castOf(node: Node): string | null {
  let current = node.parent;
  while (current?.type === 'unary_expression') current = current.parent;
  if (current?.type !== 'cast_expression') return null;
  const type = current.namedChildren.find((c) => c.type === 'type_literal');
  return type ? type.text.slice(1, -1) : null;
}

// ---------------------------------------------------------------------------------------------
// Functions, attributes, parameters, comment-based help

export interface AttributeInfo extends Position {
  /** As written: `CmdletBinding`, `Parameter`, `ValidateRange`. */
  name: string;
  /** `Name = value` arguments; a bare name (`Mandatory`) is `true`. Computed values keep their source text. */
  named: Record<string, PowerShellValue>;
  /** Positional arguments (`ValidateRange(1, 65535)` -> `[1, 65535]`); computed ones keep their source text. */
  positional: PowerShellValue[];
  text: string;
}

export interface ParameterInfo extends Position {
  /** Without `$`: `Port`. */
  name: string;
  /** The type constraint without brackets (`int`, `string[]`, `switch`), or null. */
  type: string | null;
  /** Attributes other than the type constraint. */
  attributes: AttributeInfo[];
  /** The default value's source text, or null. */
  defaultText: string | null;
}

export interface HelpSection {
  /** Upper-cased: `SYNOPSIS`, `DESCRIPTION`, `PARAMETER`, `EXAMPLE`, ... */
  keyword: string;
  /** The word after the keyword: the parameter name of `.PARAMETER Port`, else null. */
  argument: string | null;
  content: string;
}

export interface CommentHelp extends Position {
  /** Where PowerShell found it: before `function`, first thing in the body, or last thing in it. */
  placement: 'before' | 'body-start' | 'body-end';
  sections: HelpSection[];
}

export interface ScriptBlockInfo {
  /** The `[CmdletBinding(...)]` attribute of the param block, or null (a simple function). */
  cmdletBinding: AttributeInfo | null;
  /** `[OutputType(...)]` types: `pscustomobject` for `[pscustomobject]`, `Tapo.PortOwner` for `'Tapo.PortOwner'`. */
  outputTypes: string[];
  /** Every attribute on the param block, `CmdletBinding` included. */
  attributes: AttributeInfo[];
  parameters: ParameterInfo[];
  help: CommentHelp | null;
  hasCommentHelp: boolean;
}

export interface FunctionDefinition extends Position, ScriptBlockInfo {
  name: string;
  keyword: 'function' | 'filter' | 'workflow' | 'configuration';
}

/** Every `function`/`filter` statement (nested ones too), with its attributes, parameters and help. */
export function findFunctionDefinitions(root: Root): FunctionDefinition[] {
  return findNodes(root, 'function_statement').map((node) => {
    const keyword = (node.child(0)?.text.toLowerCase() ?? 'function') as FunctionDefinition['keyword'];
    const name = node.namedChildren.find((c) => c.type === 'function_name')?.text ?? '';
    const body = node.namedChildren.find((c) => c.type === 'script_block') ?? null;
    const declaration = node.namedChildren.find((c) => c.type === 'function_parameter_declaration');
    const paramBlock = body?.namedChildren.find((c) => c.type === 'param_block') ?? null;
    const parameterList = (declaration ?? paramBlock)?.namedChildren.find((c) => c.type === 'parameter_list');
    const help = functionHelp(node);
    return {
      ...positionOf(node),
      name,
      keyword,
      ...describeParamBlock(paramBlock, parameterList ?? null),
      help,
      hasCommentHelp: help !== null,
    };
  });
}

/** The script's own param block and help (a .ps1 file is a script block). */
export function describeScript(tree: Tree): ScriptBlockInfo {
  const program = tree.rootNode;
  const paramBlock = program.namedChildren.find((c) => c.type === 'param_block') ?? null;
  const parameterList = paramBlock?.namedChildren.find((c) => c.type === 'parameter_list') ?? null;
  const help = scriptHelp(program);
  return { ...describeParamBlock(paramBlock, parameterList), help, hasCommentHelp: help !== null };
}

function describeParamBlock(
  paramBlock: Node | null,
  parameterList: Node | null,
): Omit<ScriptBlockInfo, 'help' | 'hasCommentHelp'> {
  const attributeList = paramBlock?.namedChildren.find((c) => c.type === 'attribute_list');
  const attributes = (attributeList?.namedChildren.filter((c) => c.type === 'attribute') ?? [])
    .map(describeAttribute)
    .filter((a): a is AttributeInfo => a !== null);
  const isNamed = (attribute: AttributeInfo, name: string): boolean =>
    new RegExp(`^(?:.*\\.)?${name}(?:Attribute)?$`, 'i').test(attribute.name);
  return {
    cmdletBinding: attributes.find((a) => isNamed(a, 'CmdletBinding')) ?? null,
    outputTypes: attributes
      .filter((a) => isNamed(a, 'OutputType'))
      .flatMap((a) => a.positional)
      .map((type) => (typeof type === 'string' ? type.replace(/^\[(.*)\]$/s, '$1') : String(type))),
    attributes,
    parameters: (parameterList?.namedChildren.filter((c) => c.type === 'script_parameter') ?? []).flatMap(
      describeParameter,
    ),
  };
}

/**
 * One parameter, or several: PowerShell reads a default value without the comma operator, so in
 * `param($a = 1, [switch]$b)` `$b` is a parameter; the grammar makes `1, [switch]$b` an array
 * default when the last parameter can be read as an expression. Those are split off again here.
 */
function describeParameter(node: Node): ParameterInfo[] {
  const attributeNodes =
    node.namedChildren
      .find((c) => c.type === 'attribute_list')
      ?.namedChildren.filter((c) => c.type === 'attribute') ?? [];
  const typeNodes = attributeNodes.filter((a) => a.namedChildren.some((c) => c.type === 'type_literal'));
  const lastType = typeNodes.at(-1)?.namedChildren.find((c) => c.type === 'type_literal');
  const variable = node.namedChildren.find((c) => c.type === 'variable');
  const defaultNode = node.namedChildren.find((c) => c.type === 'script_parameter_default');
  const defaultValue = defaultNode?.namedChildren[0] ? unwrap(defaultNode.namedChildren[0]) : null;
  const parameter: ParameterInfo = {
    ...positionOf(node),
    name: variable ? variableName(variable.text) : '',
    type: lastType ? lastType.text.slice(1, -1) : null,
    attributes: attributeNodes.map(describeAttribute).filter((a): a is AttributeInfo => a !== null),
    defaultText: defaultNode ? defaultNode.text.replace(/^=\s*/, '') : null,
  };
  if (defaultValue?.type === 'array_literal_expression') {
    const [first, ...rest] = defaultValue.namedChildren.filter((c) => c.type !== 'comment');
    const split = rest.map(parameterFromExpression);
    if (first && split.length > 0 && split.every((p) => p !== null)) {
      return [{ ...parameter, defaultText: first.text }, ...(split as ParameterInfo[])];
    }
  }
  return [parameter];
}

/** `$b` or `[switch]$b` read as an expression (see describeParameter), or null if it is not one. */
function parameterFromExpression(expression: Node): ParameterInfo | null {
  const types: string[] = [];
  let node = unwrap(expression);
  for (;;) {
    if (node.type === 'expression_with_unary_operator' && node.namedChildCount === 1) {
      node = unwrap(node.namedChild(0) as Node);
    } else if (node.type === 'cast_expression') {
      const type = node.namedChildren.find((c) => c.type === 'type_literal');
      const operand = node.namedChildren.find((c) => c.type !== 'type_literal');
      if (!type || !operand) return null;
      types.push(type.text.slice(1, -1));
      node = unwrap(operand);
    } else {
      break;
    }
  }
  if (node.type !== 'variable') return null;
  return {
    ...positionOf(expression),
    name: variableName(node.text),
    type: types.at(-1) ?? null,
    attributes: [],
    defaultText: null,
  };
}

function describeAttribute(node: Node): AttributeInfo | null {
  const nameNode = node.namedChildren.find((c) => c.type === 'attribute_name');
  if (!nameNode) return null; // a type constraint such as [int]
  const named: Record<string, PowerShellValue> = {};
  const positional: PowerShellValue[] = [];
  const valueOf = (expression: Node): PowerShellValue => {
    try {
      return evaluateNode(expression);
    } catch {
      return expression.text;
    }
  };
  const args = node.namedChildren.find((c) => c.type === 'attribute_arguments');
  for (const argument of args?.namedChildren.filter((c) => c.type === 'attribute_argument') ?? []) {
    const [first, second] = argument.namedChildren;
    if (!first) continue;
    const hasEquals = argument.children.some((c) => c.type === '=');
    if (first.type === 'simple_name' && (hasEquals || !second)) {
      named[first.text] = second ? valueOf(second) : true;
    } else if (unwrap(first).type === 'array_literal_expression') {
      // The grammar reads `ValidateRange(1, 65535)` as one array argument; PowerShell passes two.
      positional.push(...unwrap(first).namedChildren.map(valueOf));
    } else {
      positional.push(valueOf(first));
    }
  }
  return { ...positionOf(node), name: nameNode.text, named, positional, text: firstLine(node.text) };
}

const HELP_KEYWORDS = new Set([
  'SYNOPSIS',
  'DESCRIPTION',
  'PARAMETER',
  'EXAMPLE',
  'INPUTS',
  'OUTPUTS',
  'NOTES',
  'LINK',
  'COMPONENT',
  'ROLE',
  'FUNCTIONALITY',
  'FORWARDHELPTARGETNAME',
  'FORWARDHELPCATEGORY',
  'REMOTEHELPRUNSPACE',
  'EXTERNALHELP',
]);

interface CommentBlock {
  start: Node;
  end: Node;
  text: string;
}

/** Comments that touch each other: one `<# #>` block, or a run of `#` lines on consecutive lines. */
function commentBlocks(comments: Node[], source: string): CommentBlock[] {
  const blocks: CommentBlock[] = [];
  for (const comment of comments) {
    const last = blocks.at(-1);
    const isLine = !comment.text.startsWith('<#');
    const joins =
      last &&
      isLine &&
      !last.end.text.startsWith('<#') &&
      comment.startPosition.row === last.end.endPosition.row + 1 &&
      /^[ \t]*\r?\n[ \t]*$/.test(source.slice(last.end.endIndex, comment.startIndex));
    if (joins) {
      last.end = comment;
      last.text += `\n${comment.text}`;
    } else {
      blocks.push({ start: comment, end: comment, text: comment.text });
    }
  }
  return blocks;
}

/** The help sections of a comment block, or null when it holds no help keyword. */
function parseHelp(block: CommentBlock): HelpSection[] | null {
  const lines = block.text.startsWith('<#')
    ? block.text.slice(2, -2).split(/\r?\n/)
    : block.text.split('\n').map((line) => line.replace(/^\s*#/, ''));
  const sections: HelpSection[] = [];
  for (const line of lines) {
    const keyword = /^\s*\.([A-Za-z]+)(?:[ \t]+(\S.*?))?\s*$/.exec(line);
    if (keyword && HELP_KEYWORDS.has((keyword[1] as string).toUpperCase())) {
      sections.push({
        keyword: (keyword[1] as string).toUpperCase(),
        argument: keyword[2] ?? null,
        content: '',
      });
    } else if (sections.length > 0) {
      const current = sections.at(-1) as HelpSection;
      current.content = current.content ? `${current.content}\n${line.trim()}` : line.trim();
    }
  }
  for (const section of sections) section.content = section.content.trim();
  return sections.length > 0 ? sections : null;
}

function commentsIn(node: Node, from: number, to: number): Node[] {
  return findNodes(node, 'comment').filter((c) => c.startIndex >= from && c.endIndex <= to);
}

function functionHelp(node: Node): CommentHelp | null {
  const source = node.tree.rootNode.text;
  const open = node.children.find((c) => c.type === '{');
  const close = node.lastChild?.type === '}' ? node.lastChild : null;
  if (open && close) {
    const blocks = commentBlocks(commentsIn(node, open.endIndex, close.startIndex), source);
    const first = blocks[0];
    if (first && source.slice(open.endIndex, first.start.startIndex).trim() === '') {
      const sections = parseHelp(first);
      if (sections) return { ...positionOf(first.start), placement: 'body-start', sections };
    }
    const last = blocks.at(-1);
    if (last && source.slice(last.end.endIndex, close.startIndex).trim() === '') {
      const sections = parseHelp(last);
      if (sections) return { ...positionOf(last.start), placement: 'body-end', sections };
    }
  }
  // Before the keyword: the block must end on the line before, or with one blank line between.
  const before = commentBlocks(
    findNodes(node.tree.rootNode, 'comment').filter((c) => c.endIndex <= node.startIndex),
    source,
  ).at(-1);
  if (
    before &&
    source.slice(before.end.endIndex, node.startIndex).trim() === '' &&
    node.startPosition.row - before.end.endPosition.row <= 2
  ) {
    const sections = parseHelp(before);
    if (sections) return { ...positionOf(before.start), placement: 'before', sections };
  }
  return null;
}

function scriptHelp(program: Node): CommentHelp | null {
  const source = program.text;
  const comments = findNodes(program, 'comment');
  const blocks = commentBlocks(comments, source).filter((b) => !/^#requires\b/i.test(b.text));
  const first = blocks[0];
  // At the top: only other comments (such as #Requires) and blank lines may come before it.
  if (first) {
    const before = source.slice(0, first.start.startIndex).replace(/#requires[^\n]*\n/gi, '');
    const sections = before.trim() === '' || /^(\s*#[^\n]*\n)*\s*$/.test(before) ? parseHelp(first) : null;
    if (sections) return { ...positionOf(first.start), placement: 'body-start', sections };
  }
  const last = blocks.at(-1);
  if (last && source.slice(last.end.endIndex).trim() === '') {
    const sections = parseHelp(last);
    if (sections) return { ...positionOf(last.start), placement: 'body-end', sections };
  }
  return null;
}
