import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyBindFailure,
  looksLikeAddressInUse,
  type BindFailure,
} from '../../../src/start/address-in-use.ts';
import { cpuTimeOf } from '../../support/cpu-time.ts';

// Captured on Linux (Python 3.11.7, Node 20.20.2) by binding 0.0.0.0:7777 while it was held.
const linuxHttpServerTraceback = `Traceback (most recent call last):
  File "/tmp/bind.py", line 4, in <module>
    HTTPServer(('0.0.0.0', 7777), BaseHTTPRequestHandler)
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 456, in __init__
    self.server_bind()
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/http/server.py", line 136, in server_bind
    socketserver.TCPServer.server_bind(self)
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/socketserver.py", line 472, in server_bind
    self.socket.bind(self.server_address)
OSError: [Errno 98] Address already in use
`;

const linuxAsyncioTraceback = `Traceback (most recent call last):
  File "/tmp/abind.py", line 5, in <module>
    asyncio.run(main())
  File "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py", line 1525, in create_server
    raise OSError(err.errno, 'error while attempting '
OSError: [Errno 98] error while attempting to bind on address ('0.0.0.0', 7777): address already in use
`;

const nodeEaddrinuse = `node:events:502
      throw er; // Unhandled 'error' event
      ^

Error: listen EADDRINUSE: address already in use :::7777
    at Server.setupListenHandle [as _listen2] (node:net:1908:16)
    at listenInCluster (node:net:1965:12)
Emitted 'error' event on Server instance at:
    at emitErrorNT (node:net:1944:8) {
  code: 'EADDRINUSE',
  errno: -98,
  syscall: 'listen',
  address: '::',
  port: 7777
}
`;

// Written from documented formats, not captured here (no Windows or macOS on this machine):
// - macOS strerror(48) "Address already in use" as Python prints an OSError;
// - Python on Windows: "[WinError 10048]" / "[WinError 10013]" with the FormatMessage texts of
//   WSAEADDRINUSE and WSAEACCES (learn.microsoft.com, Windows Sockets Error Codes);
// - asyncio's create_server re-raises as OSError(err.errno, 'error while attempting to bind on
//   address %r: %s' % (sa, err.strerror.lower())) (CPython Lib/asyncio/base_events.py);
// - uvicorn logs that OSError with logger.error(exc) after the "ERROR:" level prefix;
// - .NET SocketException and Rust io::Error print the Windows code in brackets.
const macosHttpServer = `Traceback (most recent call last):
  File "/Users/me/tapo-camera-mcp/venv/lib/python3.12/site-packages/socketserver.py", line 473, in server_bind
    self.socket.bind(self.server_address)
OSError: [Errno 48] Address already in use
`;

const windowsWinError10048 = `Traceback (most recent call last):
  File "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\Lib\\socketserver.py", line 473, in server_bind
    self.socket.bind(self.server_address)
OSError: [WinError 10048] Only one usage of each socket address (protocol/network address/port) is normally permitted
`;

const windowsWinError10013 = `Traceback (most recent call last):
  File "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\Lib\\socketserver.py", line 473, in server_bind
    self.socket.bind(self.server_address)
PermissionError: [WinError 10013] An attempt was made to access a socket in a way forbidden by its access permissions
`;

// German Windows: the text is localized, the code is not.
const windowsGermanWinError10048 =
  'OSError: [WinError 10048] Normalerweise darf jede Socketadresse (Protokoll, Netzwerkadresse oder Anschluss) nur jeweils einmal verwendet werden\r\n';

const uvicornLinux = `INFO:     Started server process [4242]
INFO:     Waiting for application startup.
INFO:     Application startup complete.
ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 7777): address already in use
INFO:     Waiting for application shutdown.
INFO:     Application shutdown complete.
`;

const uvicornWindows10048 =
  "ERROR:    [Errno 10048] error while attempting to bind on address ('0.0.0.0', 7777): only one usage of each socket address (protocol/network address/port) is normally permitted\r\n";

const uvicornWindows10013 =
  "ERROR:    [Errno 10013] error while attempting to bind on address ('0.0.0.0', 7777): an attempt was made to access a socket in a way forbidden by its access permissions\r\n";

const uvicornLinuxPrivileged =
  "ERROR:    [Errno 13] error while attempting to bind on address ('0.0.0.0', 80): permission denied\n";

const nodeEacces =
  'Error: listen EACCES: permission denied 0.0.0.0:80\n    at Server.setupListenHandle [as _listen2] (node:net:1893:21)\n';

const dotnetWindows =
  'Unhandled exception. System.Net.Sockets.SocketException (10048): Only one usage of each socket address (protocol/network address/port) is normally permitted.\r\n';

const goLinux = 'listen tcp 0.0.0.0:7777: bind: address already in use\n';

const rustWindows10013 =
  'Error: Os { code: 10013, kind: PermissionDenied, message: "An attempt was made to access a socket in a way forbidden by its access permissions." } (os error 10013)\n';

const cases: [string, string, BindFailure | null][] = [
  ['Python HTTPServer on Linux (captured)', linuxHttpServerTraceback, 'in-use'],
  ['asyncio on Linux (captured)', linuxAsyncioTraceback, 'in-use'],
  ['Node EADDRINUSE (captured)', nodeEaddrinuse, 'in-use'],
  ['Python on macOS [Errno 48]', macosHttpServer, 'in-use'],
  ['Python on Windows [WinError 10048]', windowsWinError10048, 'in-use'],
  ['Python on a German Windows [WinError 10048]', windowsGermanWinError10048, 'in-use'],
  ['uvicorn on Linux', uvicornLinux, 'in-use'],
  ['uvicorn on Windows 10048', uvicornWindows10048, 'in-use'],
  ['.NET on Windows', dotnetWindows, 'in-use'],
  ['Go on Linux', goLinux, 'in-use'],
  ['Node EADDRINUSE code alone', "  code: 'EADDRINUSE',", 'in-use'],
  ['Python on Windows [WinError 10013] (reserved range)', windowsWinError10013, 'forbidden'],
  ['uvicorn on Windows 10013', uvicornWindows10013, 'forbidden'],
  ['Rust on Windows 10013', rustWindows10013, 'forbidden'],
  ['uvicorn on Linux, port 80 without the right', uvicornLinuxPrivileged, 'forbidden'],
  ['Node EACCES on listen', nodeEacces, 'forbidden'],
  // Lines that mention ports, numbers and "in use" but are no bind failure.
  ['free prose about port 98', 'port 98 in use by nothing', null],
  ['errno 98 of something else', '[Errno 98] something else went wrong', null],
  ['an email in use', 'ValueError: Email already in use.', null],
  ['a port number 10048', 'Listening on 0.0.0.0:10048', null],
  [
    'the dashboard serving',
    'fake-dashboard: serving on 0.0.0.0:7777\nINFO:     Uvicorn running on http://0.0.0.0:7777',
    null,
  ],
  [
    'a file permission error',
    "PermissionError: [Errno 13] Permission denied: '/app/logs/tapo_mcp.log'",
    null,
  ],
  ['a bare EACCES on a file', "Error: EACCES: permission denied, open '/etc/shadow'", null],
  ['text with the words apart', 'the address was already\nin use', null],
  ['EADDRINUSE inside a longer word', 'MY_EADDRINUSE_COUNTER=0', null],
  ['empty', '', null],
];

describe('classifyBindFailure', () => {
  for (const [name, text, expected] of cases) {
    test(`${name} -> ${String(expected)}`, () => {
      assert.equal(classifyBindFailure(text), expected);
      assert.equal(looksLikeAddressInUse(text), expected !== null);
    });
  }

  test('when both appear, the later one is what the program died of', () => {
    assert.equal(
      classifyBindFailure(`${windowsWinError10013}retrying on ::\n${windowsWinError10048}`),
      'in-use',
    );
    assert.equal(classifyBindFailure(`${uvicornLinux}${nodeEacces}`), 'forbidden');
  });

  test('a huge output without a match is answered quickly', () => {
    const noise = 'INFO: camera 7777 polled, errno 98, 10048 frames, access ok\n'.repeat(50_000);
    const { result, cpuMs } = cpuTimeOf(() => [
      classifyBindFailure(noise),
      classifyBindFailure(`${noise}${goLinux}`),
    ]);
    assert.deepEqual(result, [null, 'in-use']);
    // CPU time, not wall time (see cpu-time.ts): about 20 ms here for 3 MB; a backtracking
    // pattern over it costs seconds.
    assert.ok(cpuMs < 2_000, `${cpuMs} ms of CPU`);
  });
});
