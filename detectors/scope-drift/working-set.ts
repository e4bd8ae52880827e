/**
 * The learned working set: anchors per target kind (path roots; k8s context/namespace; aws
 * account/region; git remote; db engine/database; hosts; environments) and the distance of a
 * target from them. Inside an anchor is 0. A path outside every root is `path_step` per level
 * climbed above the nearest root (a sibling of the root is one level), 1 when it shares no
 * top-level directory; a URI mismatching an anchor at segment i is `levels[i]` of its kind; a
 * kind the session never used is `new_kind`. Bounded: at most `max_anchors` anchors per kind.
 */
import { commonPrefix, parseTarget, segmentsWithin, type ParsedTarget } from '../common/targets.js';
import type { ScopeDriftConfig, UriDistance } from './config.js';

export interface Distance {
  /** 0 (inside) .. 1. */
  value: number;
  /** How it relates, in words: "1 level outside /home/dev/repo", "another namespace than k8s://current/my-ns". */
  relation: string;
}

const FILE_LIKE = /\.[A-Za-z0-9]{1,8}$/;

function render(kind: string, segments: readonly string[]): string {
  if (kind === 'path') return `/${segments.join('/')}`;
  return kind === 'tf' ? `tf:///${segments.join('/')}` : `${kind}://${segments.join('/')}`;
}

const URI_LEVEL_NAMES: Record<string, string[]> = {
  k8s: ['cluster context', 'namespace'],
  aws: ['account', 'region'],
  gcp: ['project', 'zone'],
  db: ['database engine', 'database'],
  git: ['remote'],
  env: ['environment'],
};

export class WorkingSet {
  private readonly anchors = new Map<string, string[][]>();

  constructor(private readonly config: ScopeDriftConfig) {}

  private uri(kind: string): UriDistance {
    return this.config.distance.uri[kind] ?? this.config.distance.uri['default']!;
  }

  /** The anchor a target would teach, or undefined when it teaches nothing (too shallow). */
  anchorOf(t: ParsedTarget): string[] | undefined {
    if (t.kind === 'path') {
      const glob = t.segments.findIndex((s) => /[*?[]/.test(s));
      const segs = glob === -1 ? t.segments : t.segments.slice(0, glob);
      const dir = segs.length > 0 && FILE_LIKE.test(segs[segs.length - 1]!) ? segs.slice(0, -1) : segs;
      return dir.length >= this.config.distance.min_path_depth ? dir : undefined;
    }
    if (t.kind === 'tf') return t.segments.length > 1 ? t.segments.slice(0, -1) : t.segments;
    const depth = this.uri(t.kind).depth;
    return t.segments.length === 0 ? undefined : t.segments.slice(0, depth);
  }

  /** A stable key for the area a target lies in (for reporting each area once). */
  areaKey(t: ParsedTarget): string {
    return render(t.kind, this.anchorOf(t) ?? t.segments);
  }

  hasKind(kind: string): boolean {
    return (this.anchors.get(kind)?.length ?? 0) > 0;
  }

  learn(t: ParsedTarget): void {
    const anchor = this.anchorOf(t);
    if (anchor === undefined) return;
    const list = this.anchors.get(t.kind) ?? [];
    if (list.some((a) => segmentsWithin(a, anchor))) return;
    const kept = list.filter((a) => !segmentsWithin(anchor, a));
    kept.push(anchor);
    if (kept.length > this.config.max_anchors) kept.shift();
    this.anchors.set(t.kind, kept);
  }

  learnTarget(raw: string): void {
    this.learn(parseTarget(raw));
  }

  distance(t: ParsedTarget): Distance {
    const list = this.anchors.get(t.kind) ?? [];
    if (list.length === 0) return { value: this.config.distance.new_kind, relation: `a kind of target (${t.kind}) the session had not worked with` };
    let best: Distance = { value: Infinity, relation: '' };
    for (const a of list) {
      const d = this.distanceTo(t, a);
      if (d.value < best.value) best = d;
      if (best.value === 0) break;
    }
    return best;
  }

  private distanceTo(t: ParsedTarget, anchor: string[]): Distance {
    const shown = render(t.kind, anchor);
    if (segmentsWithin(anchor, t.segments)) return { value: 0, relation: `inside ${shown}` };
    const common = commonPrefix(anchor, t.segments);
    if (t.kind === 'path') {
      if (common === 0) return { value: 1, relation: `under a different root than ${shown}` };
      const up = anchor.length - common;
      const value = Math.min(1, up * this.config.distance.path_step);
      return { value, relation: `${up} level${up === 1 ? '' : 's'} outside ${shown}` };
    }
    const { levels } = this.uri(t.kind);
    const value = levels[Math.min(common, levels.length - 1)]!;
    const level = URI_LEVEL_NAMES[t.kind]?.[common] ?? `segment ${common + 1}`;
    return { value, relation: `another ${level} than ${shown}` };
  }

  /** The anchors, rendered, for explanations (at most `limit`). */
  describe(limit = 6): string {
    const all = [...this.anchors.entries()].flatMap(([kind, list]) => list.map((a) => render(kind, a)));
    if (all.length === 0) return 'nothing yet';
    return all.length <= limit ? all.join(', ') : `${all.slice(0, limit).join(', ')} and ${all.length - limit} more`;
  }
}
