import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  findHttpSysQueuesForPort,
  parseNetshHttpServiceState,
} from '../../../src/owners/parse-netsh-http.ts';
import type { HttpSysRequestQueue } from '../../../src/owners/parse-netsh-http.ts';

// Real captures and the annotation-free copy of uts-iotbay: see test/fixtures/windows/PROVENANCE.md.
const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'windows');
const textOf = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

const UNNAMED = 'Request queue is unnamed.';
const BLOG_PORT_80 = 'servicestate.server-session-view.pid2668-port80.blog.txt';
const WINRM = 'servicestate.server-session-view.processes-id-image.winrm-8000.htb-writeup.txt';
const SDN = 'servicestate.requestq-excerpt.processes-image-services.ms-sdn-doc.txt';
const IOTBAY_CLEAN = 'servicestate.server-session-view.localhost8080.annotations-removed.uts-iotbay.txt';
const IOTBAY_RAW = 'servicestate.server-session-view.localhost8080.with-author-annotations.uts-iotbay.txt';

const queue = (fields: Partial<HttpSysRequestQueue>): HttpSysRequestQueue => ({
  name: UNNAMED,
  urls: [],
  processIds: [],
  images: [],
  urlSource: 'listed',
  ...fields,
});

describe('parseNetshHttpServiceState', () => {
  it('old format (Process IDs:): the only queue gets the URL of the server session by name', () => {
    const expected = [
      queue({
        urls: ['HTTP://+:80/116B50EB-ECE2-41AC-8429-9F9E963361B7/'],
        processIds: [2668],
        urlSource: 'by-name',
      }),
    ];
    assert.deepEqual(parseNetshHttpServiceState(textOf(BLOG_PORT_80)), expected);
    assert.deepEqual(parseNetshHttpServiceState(textOf(BLOG_PORT_80).replace(/\n/g, '\r\n')), expected);
  });

  it('newer format (Processes: / ID: n, image: <?>): URLs listed under each queue, unknown image left out', () => {
    assert.deepEqual(parseNetshHttpServiceState(textOf(WINRM)), [
      queue({ urls: ['HTTP://+:5985/WSMAN/', 'HTTP://+:47001/WSMAN/'], processIds: [1412] }),
      queue({ urls: ['HTTP://+:8000/MONITORSERVICE/'], processIds: [4796] }),
    ]);
  });

  it('request-queue block with an image path, Services: lines and a first line without indentation', () => {
    assert.deepEqual(parseNetshHttpServiceState(textOf(SDN)), [
      queue({
        urls: ['HTTPS://+:443/HOSTAGENT/VSWITCH/'],
        processIds: [2688],
        images: ['C:\\Windows\\System32\\svchost.exe'],
      }),
    ]);
  });

  it('several unnamed queues in the old format: netsh does not say which serves which URL, so both are named', () => {
    const urls = ['HTTP://*:5357/4C2CDC17-BEFE-4441-899A-CC530F03F2DF/', 'HTTP://LOCALHOST:8080/'];
    assert.deepEqual(parseNetshHttpServiceState(textOf(IOTBAY_CLEAN)), [
      queue({ urls, processIds: [5492], urlSource: 'ambiguous' }),
      queue({ urls, processIds: [37584], urlSource: 'ambiguous' }),
    ]);
  });

  it('does not take lines that carry more than netsh prints (the raw, annotated uts-iotbay extract)', () => {
    assert.deepEqual(parseNetshHttpServiceState(textOf(IOTBAY_RAW)), [
      queue({
        urls: ['HTTP://*:5357/4C2CDC17-BEFE-4441-899A-CC530F03F2DF/'],
        processIds: [5492],
        urlSource: 'ambiguous',
      }),
      queue({
        urls: ['HTTP://*:5357/4C2CDC17-BEFE-4441-899A-CC530F03F2DF/'],
        processIds: [],
        urlSource: 'ambiguous',
      }),
    ]);
  });

  it('CONSTRUCTED request-queue view with URL groups nested under each queue, and an idle IIS pool', () => {
    // Layout of the request-queue view as documented for older builds; no complete capture exists.
    const text = [
      'Snapshot of HTTP service state (Request Queue View):',
      '-----------------------------------------------------',
      '',
      'Request queue name: Request queue is unnamed.',
      '    Version: 2.0',
      '    State: Active',
      '    Number of active processes attached: 1',
      '    Process IDs:',
      '        3904',
      '    URL groups:',
      '    URL group ID: F100000040000003',
      '        State: Active',
      '        Request queue name: Request queue is unnamed.',
      '        Properties:',
      '            Number of registered URLs: 1',
      '            Registered URLs:',
      '                HTTP://+:80/TEMPORARY_LISTEN_ADDRESSES/',
      '',
      'Request queue name: DefaultAppPool',
      '    Version: 2.0',
      '    State: Active',
      '    Number of active processes attached: 0',
      '    Process IDs:',
      '    URL groups:',
      '    URL group ID: F600000040000001',
      '        State: Active',
      '        Request queue name: DefaultAppPool',
      '        Properties:',
      '            Registered URLs:',
      '                HTTP://*:8080/',
      '',
    ].join('\r\n');
    const queues = parseNetshHttpServiceState(text);
    assert.deepEqual(queues, [
      queue({ urls: ['HTTP://+:80/TEMPORARY_LISTEN_ADDRESSES/'], processIds: [3904] }),
      queue({ name: 'DefaultAppPool', urls: ['HTTP://*:8080/'], processIds: [] }),
    ]);
    assert.deepEqual(findHttpSysQueuesForPort(queues, 8080), [
      queue({ name: 'DefaultAppPool', urls: ['HTTP://*:8080/'], processIds: [] }),
    ]);
  });

  it('CONSTRUCTED server-session view: named queue, the single unnamed queue, and a URL group naming no listed queue', () => {
    const text = [
      'Server session ID: FF00000320000001',
      '    URL groups:',
      '    URL group ID: FE00000340000001',
      '        Request queue name: DefaultAppPool',
      '        Properties:',
      '            Registered URLs:',
      '                HTTP://*:80/',
      '    URL group ID: FE00000340000002',
      '        Request queue name: Request queue is unnamed.',
      '        Properties:',
      '            Registered URLs:',
      '                HTTP://+:8081/',
      '    URL group ID: FE00000340000003',
      '        Request queue name: GhostPool',
      '        Properties:',
      '            Registered URLs:',
      '                http://+:9090/',
      '',
      'Request queues:',
      '    Request queue name: DefaultAppPool',
      '        Process IDs:',
      '            5100',
      '',
      '    Request queue name: Request queue is unnamed.',
      '        Process IDs:',
      '            6200',
    ].join('\n');
    assert.deepEqual(parseNetshHttpServiceState(text), [
      queue({ name: 'DefaultAppPool', urls: ['HTTP://*:80/'], processIds: [5100], urlSource: 'by-name' }),
      queue({ urls: ['HTTP://+:8081/'], processIds: [6200], urlSource: 'by-name' }),
      queue({ name: 'GhostPool', urls: ['http://+:9090/'], processIds: [], urlSource: 'unbound' }),
    ]);
  });

  it('CONSTRUCTED translated labels: queues are found by shape and linked by the shared label', () => {
    // Invented German labels standing for any translation; no localized servicestate capture exists.
    const text = textOf(BLOG_PORT_80)
      .replaceAll(
        'Request queue name: Request queue is unnamed.',
        'Warteschlangenname: Warteschlange ist unbenannt.',
      )
      .replaceAll('Request queues:', 'Anforderungswarteschlangen:')
      .replaceAll('Process IDs:', 'Prozess-IDs:')
      .replaceAll('Registered URLs:', 'Registrierte URLs:');
    assert.deepEqual(parseNetshHttpServiceState(text), [
      queue({
        name: 'Warteschlange ist unbenannt.',
        urls: ['HTTP://+:80/116B50EB-ECE2-41AC-8429-9F9E963361B7/'],
        processIds: [2668],
        urlSource: 'by-name',
      }),
    ]);
  });

  it('returns nothing for text that is not netsh http output', () => {
    assert.deepEqual(parseNetshHttpServiceState(''), []);
    assert.deepEqual(
      parseNetshHttpServiceState('The requested operation requires elevation (Run as administrator).\r\n'),
      [],
    );
  });
});

describe('findHttpSysQueuesForPort', () => {
  const queues = parseNetshHttpServiceState(
    [
      'Request queue name: Request queue is unnamed.',
      '    Processes:',
      '        ID: 700, image: C:\\svc\\a.exe',
      '        ID: 701, image: <?>',
      '    Registered URLs:',
      '        http://*:80/x/',
      '        HTTP://+:8080/',
      '        https://+:443/',
      '        https://contoso.example/',
      '        http://[::1]:7777/',
      '        HTTP://LOCALHOST:8080/',
      '        http://+:8/',
      '        http://example.test/',
    ].join('\n'),
  );
  const urlsFor = (port: number): string[] => findHttpSysQueuesForPort(queues, port).flatMap((q) => q.urls);

  it('matches the port exactly and defaults to 80 for http and 443 for https', () => {
    assert.deepEqual(urlsFor(80), ['http://*:80/x/', 'http://example.test/']);
    assert.deepEqual(urlsFor(8080), ['HTTP://+:8080/', 'HTTP://LOCALHOST:8080/']);
    assert.deepEqual(urlsFor(443), ['https://+:443/', 'https://contoso.example/']);
    assert.deepEqual(urlsFor(7777), ['http://[::1]:7777/']);
    assert.deepEqual(urlsFor(8), ['http://+:8/']);
    assert.deepEqual(urlsFor(808), []);
  });

  it('keeps the queue processes and narrows only the URLs', () => {
    assert.deepEqual(findHttpSysQueuesForPort(queues, 7777), [
      queue({ urls: ['http://[::1]:7777/'], processIds: [700, 701], images: ['C:\\svc\\a.exe'] }),
    ]);
  });

  it('finds the owners of real registrations: 80 (blog), 5985 and 8000 (WinRM), 8080 (two candidates)', () => {
    assert.deepEqual(
      findHttpSysQueuesForPort(parseNetshHttpServiceState(textOf(BLOG_PORT_80)), 80).flatMap(
        (q) => q.processIds,
      ),
      [2668],
    );
    assert.deepEqual(findHttpSysQueuesForPort(parseNetshHttpServiceState(textOf(BLOG_PORT_80)), 8080), []);
    const winrm = parseNetshHttpServiceState(textOf(WINRM));
    assert.deepEqual(findHttpSysQueuesForPort(winrm, 5985), [
      queue({ urls: ['HTTP://+:5985/WSMAN/'], processIds: [1412] }),
    ]);
    assert.deepEqual(
      findHttpSysQueuesForPort(winrm, 8000).flatMap((q) => q.processIds),
      [4796],
    );
    assert.deepEqual(findHttpSysQueuesForPort(winrm, 800), []);
    assert.deepEqual(findHttpSysQueuesForPort(parseNetshHttpServiceState(textOf(IOTBAY_CLEAN)), 8080), [
      queue({ urls: ['HTTP://LOCALHOST:8080/'], processIds: [5492], urlSource: 'ambiguous' }),
      queue({ urls: ['HTTP://LOCALHOST:8080/'], processIds: [37584], urlSource: 'ambiguous' }),
    ]);
    assert.deepEqual(
      findHttpSysQueuesForPort(parseNetshHttpServiceState(textOf(SDN)), 443).flatMap((q) => q.processIds),
      [2688],
    );
  });
});
