/**
 * How a queue's URLs were tied to it:
 * - 'listed': netsh printed them under the queue itself (request-queue view, newer builds);
 * - 'by-name': server-session URL groups name this queue, and no other queue has that name;
 * - 'ambiguous': several queues share the name (every unnamed queue does), so each of them is
 *   given all of those URLs: the port belongs to one of them and netsh does not say which;
 * - 'unbound': URL groups naming no queue that netsh listed; such an entry has no process ids.
 * A queue with no URL at all is 'listed' with an empty list.
 */
export type HttpSysUrlSource = 'listed' | 'by-name' | 'ambiguous' | 'unbound';

/** One http.sys request queue: the processes that serve it and the URLs it answers. */
export interface HttpSysRequestQueue {
  /** As netsh prints it: a name, or its (possibly localized) "Request queue is unnamed.". */
  name: string;
  /** Registered URLs exactly as printed, e.g. `HTTP://+:80/Temporary_Listen_Addresses/`. */
  urls: string[];
  processIds: number[];
  /** Executables of the newer `ID: n, image: path` lines; `<?>` (not readable) is left out. */
  images: string[];
  urlSource: HttpSysUrlSource;
}

interface OutlineNode {
  text: string;
  indent: number;
  parent: OutlineNode | null;
  children: OutlineNode[];
}

// A registered URL line holds the URL and nothing else; a line with more (an annotation pasted
// after it) is not netsh's and is not taken.
const URL_LINE = /^https?:\/\/\S+$/i;
// Older builds: `Process IDs:` followed by one bare number per line.
const BARE_PID = /^\d+$/;
// Newer builds: `Processes:` followed by `ID: 1412, image: <?>`; only the shape is relied on.
const PID_AND_IMAGE = /^[^:,]+:\s*(\d+),\s*[^:,]+:\s*(.*)$/;
const QUEUE_LABEL = /^Request queue name:/i;

/**
 * Request queues from `netsh http show servicestate view=requestq` or the default server-session
 * view (`netsh http show servicestate`), in both the `Process IDs:` and the `Processes:` formats.
 *
 * netsh's labels are localized, so the output is read as an outline by indentation: a queue is
 * the node two levels above its process lines (or, in English, a `Request queue name:` node with
 * children), and a URL belongs to the queue it is nested under. Only URL groups of the
 * server-session view, which are not nested under queues, are tied by the queue name they carry.
 */
export function parseNetshHttpServiceState(text: string): HttpSysRequestQueue[] {
  const nodes = buildOutline(text);
  const queueNodes = nodes.filter(
    (node) =>
      node.children.some((list) => list.children.some((child) => readProcessLine(child) !== null)) ||
      (QUEUE_LABEL.test(node.text) && node.children.length > 0),
  );
  const queueSet = new Set(queueNodes);
  const queues = new Map<OutlineNode, HttpSysRequestQueue>();
  for (const node of queueNodes) {
    const processIds: number[] = [];
    const images: string[] = [];
    for (const list of node.children) {
      for (const child of list.children) {
        const process = readProcessLine(child);
        if (process === null) continue;
        if (!processIds.includes(process.pid)) processIds.push(process.pid);
        if (process.image !== null && !images.includes(process.image)) images.push(process.image);
      }
    }
    queues.set(node, { name: valueOf(node.text), urls: [], processIds, images, urlSource: 'listed' });
  }

  const queueLabels = new Set(queueNodes.map((node) => labelOf(node.text)));
  const unnested = new Map<string | null, string[]>();
  for (const node of nodes) {
    if (!URL_LINE.test(node.text)) continue;
    const owner = findAncestor(node, (ancestor) => queueSet.has(ancestor));
    const queue = owner === null ? undefined : queues.get(owner);
    if (queue !== undefined) {
      pushUnique(queue.urls, node.text);
    } else {
      const queueName = findQueueNameOfUrlGroup(node, queueLabels);
      const urls = unnested.get(queueName) ?? [];
      pushUnique(urls, node.text);
      unnested.set(queueName, urls);
    }
  }

  const listedUrls = new Set([...queues.values()].flatMap((queue) => queue.urls));
  const unbound: HttpSysRequestQueue[] = [];
  for (const [queueName, allUrls] of unnested) {
    // The same URL also listed under a queue is already tied to its process.
    const urls = allUrls.filter((url) => !listedUrls.has(url));
    if (urls.length === 0) continue;
    const candidates = [...queues.values()].filter(
      (queue) => queueName !== null && queue.name === queueName && queue.urls.length === 0,
    );
    if (candidates.length === 0) {
      unbound.push({ name: queueName ?? '', urls, processIds: [], images: [], urlSource: 'unbound' });
      continue;
    }
    for (const queue of candidates) {
      queue.urls.push(...urls);
      queue.urlSource = candidates.length === 1 ? 'by-name' : 'ambiguous';
    }
  }
  return [...queues.values(), ...unbound];
}

/**
 * The queues with a URL on `port` (exact match; no port means 80 for http, 443 for https), each
 * with `urls` narrowed to those on the port. Host parts (`+`, `*`, `LOCALHOST`, an address) are
 * kept in the URLs for the caller to explain, not filtered here.
 */
export function findHttpSysQueuesForPort(
  queues: readonly HttpSysRequestQueue[],
  port: number,
): HttpSysRequestQueue[] {
  return queues.flatMap((queue) => {
    const urls = queue.urls.filter((url) => portOfUrl(url) === port);
    return urls.length === 0 ? [] : [{ ...queue, urls }];
  });
}

function portOfUrl(url: string): number | null {
  const match = /^(https?):\/\/(?:\[[^\]]*\]|[^/:]*)(?::(\d+))?(?:\/|$)/i.exec(url);
  if (match === null) return null;
  if (match[2] !== undefined) return Number(match[2]);
  return match[1]?.toLowerCase() === 'https' ? 443 : 80;
}

function buildOutline(text: string): OutlineNode[] {
  const root: OutlineNode = { text: '', indent: -1, parent: null, children: [] };
  const stack: OutlineNode[] = [root];
  const nodes: OutlineNode[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const content = line.trim();
    if (content === '') continue;
    const indent = line.length - line.trimStart().length;
    while ((stack[stack.length - 1]?.indent ?? -1) >= indent) stack.pop();
    const parent = stack[stack.length - 1] ?? root;
    const node: OutlineNode = { text: content, indent, parent, children: [] };
    parent.children.push(node);
    stack.push(node);
    nodes.push(node);
  }
  return nodes;
}

/** A process line sits under a list header (`Process IDs:` / `Processes:`). */
function readProcessLine(node: OutlineNode): { pid: number; image: string | null } | null {
  if (node.parent === null || !node.parent.text.endsWith(':')) return null;
  if (BARE_PID.test(node.text)) return { pid: Number(node.text), image: null };
  const match = PID_AND_IMAGE.exec(node.text);
  if (match === null) return null;
  const image = (match[2] ?? '').trim();
  return { pid: Number(match[1]), image: image === '' || image === '<?>' ? null : image };
}

/**
 * A server-session URL group states its queue in a leaf line with the same label as the queue
 * lines (`Request queue name: ...`), a sibling of the `Properties:` node the URL sits under.
 */
function findQueueNameOfUrlGroup(urlNode: OutlineNode, queueLabels: ReadonlySet<string>): string | null {
  for (let ancestor = urlNode.parent; ancestor !== null; ancestor = ancestor.parent) {
    const line = ancestor.children.find(
      (child) => child.children.length === 0 && queueLabels.has(labelOf(child.text)),
    );
    if (line !== undefined) return valueOf(line.text);
  }
  return null;
}

function findAncestor(node: OutlineNode, test: (ancestor: OutlineNode) => boolean): OutlineNode | null {
  for (let ancestor = node.parent; ancestor !== null; ancestor = ancestor.parent) {
    if (test(ancestor)) return ancestor;
  }
  return null;
}

function labelOf(text: string): string {
  const colon = text.indexOf(':');
  return colon === -1 ? text : text.slice(0, colon).trim();
}

function valueOf(text: string): string {
  const colon = text.indexOf(':');
  return colon === -1 ? '' : text.slice(colon + 1).trim();
}

function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}
