// `wsl.exe --list --running --quiet` as WSL writes it (test/fixtures/windows, PROVENANCE.md):
// UTF-16LE without a BOM unless WSL_UTF8=1 is honoured, read as latin1 like the reader does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWslRunningList } from '../../../src/owners/parse-wsl-list.ts';
import { fixture } from '../../support/check-fakes.ts';

describe('parseWslRunningList', () => {
  const cases: [string, string, string[] | null][] = [
    [
      'two running, UTF-16LE with CRLF',
      fixture('windows/wsl-list-running-quiet.CONSTRUCTED.ubuntu-docker-desktop.utf16le-crlf.bin', 'latin1'),
      ['Ubuntu', 'docker-desktop'],
    ],
    [
      'two running, UTF-8 (WSL_UTF8=1)',
      fixture('windows/wsl-list-running-quiet.CONSTRUCTED.ubuntu-docker-desktop.wsl-utf8.crlf.txt', 'latin1'),
      ['Ubuntu', 'docker-desktop'],
    ],
    ['none running: nothing at all', '', []],
    [
      'a UTF-16LE BOM before the names',
      '\u00ff\u00feU\u0000b\u0000u\u0000n\u0000t\u0000u\u0000\r\u0000\n\u0000',
      ['Ubuntu'],
    ],
    ['names with dots and digits', 'Ubuntu-24.04\r\nkali_linux\r\n', ['Ubuntu-24.04', 'kali_linux']],
    // Without --quiet (or an older wsl.exe) a sentence comes instead: not a list, no guess.
    [
      'the "no running distributions" message',
      fixture('windows/wsl-list-running.CONSTRUCTED.none-running-message.utf16le-crlf.bin', 'latin1'),
      null,
    ],
    [
      'the header of the long form',
      'Windows Subsystem for Linux Distributions:\r\nUbuntu (Default)\r\n',
      null,
    ],
    ['an error line', 'Error code: Wsl/Service/E_UNEXPECTED\r\n', null],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(parseWslRunningList(text), expected));
  }
});
