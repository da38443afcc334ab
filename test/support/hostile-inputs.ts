/**
 * Strings a process name, path or command line can hold and that attack shells or terminals.
 * Shared by the render tests; NUL and unpaired surrogates are left out here (they cannot be
 * passed through a real shell or UTF-8) and tested separately.
 */
export const hostileInputs: Readonly<Record<string, string>> = {
  ansiColour: '\x1b[31mred\x1b[0m',
  oscTitle: '\x1b]0;title\x07',
  newline: 'line1\nline2',
  carriageReturn: 'real\rfake',
  tab: 'a\tb',
  singleQuote: "it's",
  onlySingleQuote: "'",
  doubleQuote: 'say "hi"',
  commandSubstitution: '$(echo INJECTED)',
  backticks: '`echo INJECTED`',
  variable: '$HOME ${PATH}',
  semicolonRm: ';rm -rf /',
  percentPath: '%PATH%',
  bangVariable: '!x!',
  cmdMetacharacters: '&|<>^',
  parentheses: '(a) [b] {c}',
  glob: '* ? ~ #',
  backslashes: 'C:\\Program Files\\app\\',
  empty: '',
  spaces: '  two  spaces  ',
  cafe: 'caf\u00e9',
  chinese: '\u4e2d\u6587\u8fdb\u7a0b',
  emoji: 'fire\u{1F525}\u{1F600}',
  rightSingleQuote: 'it\u2019s',
  allSingleQuoteLookAlikes: '\u2018a\u2019b\u201ac\u201bd',
  doubleQuoteLookAlikes: '\u201chi\u201d',
  bidiOverride: 'exe.\u202etxt',
  lineSeparator: 'a\u2028b',
  leadingDash: '-rf',
};

/** The hostile inputs with no control, format or separator character: printable as they are. */
export const printableHostileInputs: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(hostileInputs).filter(
    ([, value]) => !/[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/u.test(value),
  ),
);
