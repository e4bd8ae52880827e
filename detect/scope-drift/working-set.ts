/**
 * The learned working set: anchors per target kind (path roots; k8s context/namespace; aws
 * account/region; git remote; db engine/database; hosts; environments) and the distance of a
 * target from them. Inside an anchor is 0. A path outside every root is `path_step` per level
 * climbed above the nearest root (a sibling of the root is one level), 1 when it shares no
 * top-level directory; a URI mismatching an anchor at segment i is `levels[i]` of its kind; a
 * kind the session never used is `new_kind`. Each anchor remembers whether the session wrote
 * there (its working directory, a change) or only read it; a distance may be asked against the
 * written anchors alone, so a `du ~/.agent` does not make `rm -rf ~/.agent/sessions` in scope.
 * Bounded: at most `max_anchors` anchors per kind.
 */
import { commonPrefix, parseTarget, segmentsWithin, type ParsedTarget } from '../common/targets.js';
import type { ScopeDriftConfig, UriDistance } from './config.js';

export interface Distance {
  /** 0 (inside) .. 1. */
  value: number;
  /** How it relates, in words: "1 level outside /home/dev/repo", "another namespace than k8s://current/my-ns". */
  relation: string;
  /** Inside an anchor the session only read (asked for written anchors). */
  readOnly?: boolean;
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

interface Anchor {
  segments: string[];
  /** Learned from a write (working directory, change, destructive action), not only a read. */
  written: boolean;
}

export class WorkingSet {
  private readonly anchors = new Map<string, Anchor[]>();

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

  /** Learns a target's anchor; `written` when the session changed it rather than only read it. */
  learn(t: ParsedTarget, written = true): void {
    const anchor = this.anchorOf(t);
    if (anchor === undefined) return;
    const list = this.anchors.get(t.kind) ?? [];
    if (list.some((a) => segmentsWithin(a.segments, anchor) && (a.written || !written))) return;
    const kept = list.filter((a) => !(segmentsWithin(anchor, a.segments) && (written || !a.written)));
    kept.push({ segments: anchor, written });
    if (kept.length > this.config.max_anchors) kept.shift();
    this.anchors.set(t.kind, kept);
  }

  learnTarget(raw: string, written = true): void {
    this.learn(parseTarget(raw), written);
  }

  /**
   * Distance from the anchors. With `writtenOnly`, a target inside an anchor the session only
   * read (and none it wrote in) is at most `distance.read_only` away, marked `readOnly`.
   */
  distance(t: ParsedTarget, writtenOnly = false): Distance {
    const all = this.anchors.get(t.kind) ?? [];
    if (all.length === 0) return { value: this.config.distance.new_kind, relation: `a kind of target (${t.kind}) the session had not worked with` };
    const best = this.nearest(t, writtenOnly ? all.filter((a) => a.written) : all);
    if (!writtenOnly || best.value === 0) return best;
    const read = all.find((a) => !a.written && segmentsWithin(a.segments, t.segments));
    if (read === undefined) return best;
    const value = Math.min(best.value, this.config.distance.read_only);
    return { value, relation: `inside ${render(t.kind, read.segments)}, which the session only read, never wrote in`, readOnly: true };
  }

  private nearest(t: ParsedTarget, list: readonly Anchor[]): Distance {
    if (list.length === 0) return { value: this.config.distance.new_kind, relation: `a kind of target (${t.kind}) the session had only read, never written` };
    let best: Distance = { value: Infinity, relation: '' };
    for (const a of list) {
      const d = this.distanceTo(t, a.segments);
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
    const all = [...this.anchors.entries()].flatMap(([kind, list]) => list.map((a) => `${render(kind, a.segments)}${a.written ? '' : ' (read)'}`));
    if (all.length === 0) return 'nothing yet';
    return all.length <= limit ? all.join(', ') : `${all.slice(0, limit).join(', ')} and ${all.length - limit} more`;
  }
}
