/**
 * Reads a non-shell tool call using the tool knowledge in the rule files (`tools:`): which
 * tool names are shells, SQL runners, file writers/readers/deleters, mail or HTTP tools, and
 * which arguments hold the command, SQL, path, URL, method, mailbox and folder. Unknown tools
 * are `generic` and still get path/URL targets from common argument names.
 */
import type { ToolSpec } from '../rule-schema.js';
import type { Target, ToolSubject } from '../evaluate/subject.js';
import { globMatch } from '../evaluate/patterns.js';
import { BoundedMap } from '../../../lib/bounded.js';
import { resolvePath } from '../targets/paths.js';
import { urlTarget } from '../targets/local-targets.js';

const GENERIC: ToolSpec = {
  kind: 'generic', names: ['*'], class: 'none', command_arguments: [],
  path_arguments: ['file_path', 'path', 'filename', 'file', 'target'], sql_arguments: [],
  url_arguments: ['url', 'endpoint', 'uri'], method_arguments: ['method'], mailbox_arguments: [], folder_arguments: [],
};

/** Tool names already looked up, per rule set's tool list (names come from agents: bounded). */
const FOUND_CAP = 1024;
const found = new WeakMap<ToolSpec[], BoundedMap<string, ToolSpec>>();

export function findToolSpec(tools: ToolSpec[], name: string): ToolSpec {
  let known = found.get(tools);
  if (known === undefined) found.set(tools, (known = new BoundedMap(FOUND_CAP)));
  let spec = known.get(name);
  if (spec === undefined) {
    spec = tools.find((t) => globMatch(t.names, name, true)) ?? GENERIC;
    known.set(name, spec);
  }
  return spec;
}

/** First string argument among `keys` (arrays give their string items). */
export function argStrings(args: Record<string, unknown>, keys: string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const v = args[k];
    if (typeof v === 'string' && v !== '') out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string' && x !== '') out.push(x);
  }
  return out;
}

function isItemSegment(seg: string): boolean {
  return /\d/.test(seg) || /^[0-9a-f-]{16,}$/i.test(seg) || seg.startsWith('{') || seg.startsWith(':');
}

/** True when a URL's path ends at a collection (`/v1/users`) rather than an item (`/v1/users/42`). */
export function isCollectionUrl(raw: string): boolean {
  try {
    const segs = new URL(raw).pathname.split('/').filter(Boolean);
    return segs.length > 0 && !isItemSegment(segs[segs.length - 1]!);
  } catch {
    return false;
  }
}

export function toolSubject(spec: ToolSpec, tool: string, args: Record<string, unknown>, cwd: string): ToolSubject {
  const targets: Target[] = [];
  for (const p of argStrings(args, spec.path_arguments)) targets.push({ value: resolvePath(p, cwd), unknown: false });
  // MultiEdit-style tools carry a list of edits, each with its own path.
  if (Array.isArray(args.edits)) {
    for (const e of args.edits) {
      if (e && typeof e === 'object') for (const p of argStrings(e as Record<string, unknown>, spec.path_arguments)) targets.push({ value: resolvePath(p, cwd), unknown: false });
    }
  }
  const urls = argStrings(args, spec.url_arguments);
  let urlIsCollection = false;
  for (const u of urls) {
    const t = urlTarget(u);
    if (!t) continue;
    targets.push(t);
    urlIsCollection ||= isCollectionUrl(u);
  }
  if (spec.kind === 'mail') {
    const mailbox = argStrings(args, spec.mailbox_arguments)[0] ?? 'current';
    const folders = argStrings(args, spec.folder_arguments);
    for (const f of folders.length ? folders : ['*']) targets.push({ value: `mail://${mailbox}/${f}`, unknown: false });
  }
  const method = (argStrings(args, spec.method_arguments)[0] ?? (urls.length ? 'GET' : '')).toUpperCase();
  return { kind: 'tool', tool, toolKind: spec.kind, args, httpMethod: method, urlIsCollection, targets, text: tool };
}
