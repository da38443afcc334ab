import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quotePowerShellArg, quotePowerShellCommandName } from '../../../src/text/quote-powershell.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';
import { caseName } from '../../support/case-name.ts';

// No PowerShell here: the expected strings follow the documented rules (about_Quoting_Rules):
// a single-quoted string is verbatim, and any of ' U+2018 U+2019 U+201A U+201B written twice
// inside it stands for one quote character.
const SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);

/** Reads back one single-quoted PowerShell literal the way the tokenizer does; null if malformed. */
function readSingleQuotedLiteral(token: string): string | null {
  const chars = Array.from(token);
  if (chars.length < 2 || !SINGLE_QUOTES.has(chars[0] ?? '')) return null;
  let value = '';
  for (let index = 1; index < chars.length; index += 1) {
    const char = chars[index] ?? '';
    if (!SINGLE_QUOTES.has(char)) {
      value += char;
    } else if (SINGLE_QUOTES.has(chars[index + 1] ?? '')) {
      value += char;
      index += 1;
    } else {
      return index === chars.length - 1 ? value : null;
    }
  }
  return null;
}

describe('quotePowerShellArg: plain words stay bare', () => {
  const bare = [
    'taskkill',
    'Stop-Process',
    '-Id',
    '-Force',
    '--port',
    '--no-color',
    '4242',
    '0',
    '65535',
    '0.0.0.0',
    '1.2.3',
    '127.0.0.1',
    'C:\\Windows\\System32\\taskkill.exe',
    'C:\\dir\\',
    '\\\\server\\share',
    '/PID',
    '/F',
    'publish=7777',
    'tapo_camera_mcp.web',
    '_private',
  ];
  for (const input of bare) {
    test(caseName(input), () => assert.equal(quotePowerShellArg(input), input));
  }
});

describe('quotePowerShellArg: everything else is a single-quoted literal', () => {
  const cases: [string, string][] = [
    ['', "''"],
    ["it's", "'it''s'"],
    ["'", "''''"],
    ['it\u2019s', "'it\u2019\u2019s'"],
    ['\u2018a\u2019b\u201ac\u201bd', "'\u2018\u2018a\u2019\u2019b\u201a\u201ac\u201b\u201bd'"],
    ["'\u2019", "'''\u2019\u2019'"],
    ['\u201chi\u201d', "'\u201chi\u201d'"],
    ['say "hi"', `'say "hi"'`],
    ['$env:PATH', "'$env:PATH'"],
    ['$(Get-Date)', "'$(Get-Date)'"],
    ['`n`e[31m', "'`n`e[31m'"],
    ['@args', "'@args'"],
    ['@{a=1}', "'@{a=1}'"],
    ['a,b', "'a,b'"],
    [';rm -rf /', "';rm -rf /'"],
    ['%PATH%', "'%PATH%'"],
    ['!x!', "'!x!'"],
    ['&|<>^', "'&|<>^'"],
    ['a b', "'a b'"],
    ['#comment', "'#comment'"],
    ['{x}', "'{x}'"],
    ['caf\u00e9', "'caf\u00e9'"],
    ['\u4e2d\u6587', "'\u4e2d\u6587'"],
    ['fire\u{1F525}', "'fire\u{1F525}'"],
    ['\u2013Force', "'\u2013Force'"],
    ['\x1b[31mred\x1b[0m', "'\x1b[31mred\x1b[0m'"],
    ['line1\nline2', "'line1\nline2'"],
    // Numbers in argument mode: a cmdlet parameter would get 16, 1024, 1000, 7, 0.5, 1.5.
    ['0x10', "'0x10'"],
    ['1kb', "'1kb'"],
    ['1e3', "'1e3'"],
    ['007', "'007'"],
    ['.5', "'.5'"],
    ['1.50', "'1.50'"],
    ['12345678901234567890', "'12345678901234567890'"],
    ['127.0.0.1:7777', "'127.0.0.1:7777'"],
    // Parameter-looking words PowerShell would split or treat as syntax.
    ['-foo.bar', "'-foo.bar'"],
    ['-Name:value', "'-Name:value'"],
    ['--%', "'--%'"],
    ['-', "'-'"],
    ['--', "'--'"],
    ['-5', "'-5'"],
  ];
  for (const [input, expected] of cases) {
    test(`${caseName(input)} -> ${caseName(expected)}`, () => {
      assert.equal(quotePowerShellArg(input), expected);
    });
  }
});

describe('quotePowerShellArg reads back as the original', () => {
  for (const [name, input] of Object.entries(hostileInputs)) {
    test(name, () => {
      const quoted = quotePowerShellArg(input);
      assert.equal(quoted === input ? input : readSingleQuotedLiteral(quoted), input);
    });
  }

  test('random strings over quote characters and metacharacters', () => {
    const alphabet = ["'", '\u2018', '\u2019', '\u201a', '\u201b', '"', '$', '`', ' ', 'a', '\\', '(', ')'];
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 500; round += 1) {
      const length = next() % 12;
      let input = '';
      for (let index = 0; index < length; index += 1) input += alphabet[next() % alphabet.length] ?? '';
      const quoted = quotePowerShellArg(input);
      assert.equal(quoted === input ? input : readSingleQuotedLiteral(quoted), input, JSON.stringify(input));
    }
  });
});

describe('quotePowerShellCommandName', () => {
  const cases: [string, string][] = [
    ['taskkill', 'taskkill'],
    ['Stop-Process', 'Stop-Process'],
    ['C:\\Windows\\System32\\taskkill.exe', 'C:\\Windows\\System32\\taskkill.exe'],
    ['C:\\Program Files\\Docker\\docker.exe', "& 'C:\\Program Files\\Docker\\docker.exe'"],
    ['7z.exe', "& '7z.exe'"],
    ['foreach', "& 'foreach'"],
    ['ForEach', "& 'ForEach'"],
    ['if', "& 'if'"],
    ['-x', "& '-x'"],
    ["it's.exe", "& 'it''s.exe'"],
    ['', "& ''"],
  ];
  for (const [input, expected] of cases) {
    test(`${caseName(input)} -> ${caseName(expected)}`, () => {
      assert.equal(quotePowerShellCommandName(input), expected);
    });
  }
});

// Every PowerShell language keyword (about_Language_Keywords, plus the workflow and DSC ones 5.1
// still parses): as the first word of a command it is syntax, so a program of that name must be
// called through `&`. Any case: PowerShell's keywords are case-insensitive.
describe('quotePowerShellCommandName: every keyword goes through the call operator', () => {
  const keywords = [
    'begin',
    'break',
    'catch',
    'class',
    'configuration',
    'continue',
    'data',
    'define',
    'do',
    'dynamicparam',
    'else',
    'elseif',
    'end',
    'enum',
    'exit',
    'filter',
    'finally',
    'for',
    'foreach',
    'from',
    'function',
    'hidden',
    'if',
    'in',
    'inlinescript',
    'parallel',
    'param',
    'process',
    'return',
    'sequence',
    'static',
    'switch',
    'throw',
    'trap',
    'try',
    'until',
    'using',
    'var',
    'while',
    'workflow',
  ];
  for (const keyword of keywords) {
    test(`${keyword} and ${keyword.toUpperCase()}`, () => {
      assert.equal(quotePowerShellCommandName(keyword), `& '${keyword}'`);
      assert.equal(quotePowerShellCommandName(keyword.toUpperCase()), `& '${keyword.toUpperCase()}'`);
      // As an argument a keyword is only a word.
      assert.equal(quotePowerShellArg(keyword), keyword);
    });
  }
  test('a word that only starts like a keyword stays bare', () => {
    assert.equal(quotePowerShellCommandName('docker'), 'docker');
    assert.equal(quotePowerShellCommandName('iffy'), 'iffy');
  });
});

describe('quotePowerShellArg: dotted numbers with parts of any length stay bare', () => {
  for (const word of ['10.0.0.255', '1.22.333', '192.168.100.200']) {
    test(word, () => assert.equal(quotePowerShellArg(word), word));
  }
});
