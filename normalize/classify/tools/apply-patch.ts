/**
 * Patch bodies in the `apply_patch` format (Codex's file-editing tool, and agents that copy it):
 * found wherever a tool call carries one — the command (a hook's `tool_input.command`), the
 * `input` / `patch` / `command` argument (Codex's JSON form), or a shell command that runs
 * `apply_patch` with the body as its argument or heredoc — and read into the files it touches.
 *
 *   *** Begin Patch
 *   *** Add File: path        (then `+` lines)      -> written
 *   *** Update File: path     (then `@@` hunks)     -> written
 *   *** Move to: new-path     (after an Update)     -> written (the old path is renamed away)
 *   *** Delete File: path                           -> deleted
 *   *** End Patch
 *
 * Only lines starting with `*** ` at column 0 are headers: hunk and content lines start with
 * ` `, `-`, `+` or `@@`, so a patch that adds text mentioning `*** Delete File:` cannot fake one.
 * One pass over the text, no regular expression over the whole body: a 40 KB patch is read in
 * well under a millisecond. Paths are resolved against the call's cwd (patch paths are relative).
 */
import type { Target, ToolSubject } from '../evaluate/subject.js';
import type { ToolSpec } from '../rule-schema.js';
import { resolvePath } from '../targets/paths.js';
import { findToolSpec } from './tool-subjects.js';

export const PATCH_BEGIN = '*** Begin Patch';
const PATCH_END = '*** End Patch';
/** Argument keys that may hold the patch body (Codex JSON apply_patch: `input`). */
const PATCH_ARGUMENTS = ['input', 'patch', 'command'] as const;
/** Programs that take a patch body as their argument or on stdin (the historical shell form). */
const PATCH_PROGRAMS = /^\s*(?:apply_patch|applypatch)(?:\s|$)/;
/** From this many deleted files on, a patch counts as a bulk deletion (`many_files`). */
export const MANY_DELETED_FILES = 5;
/** Tool names the rules know the two halves of a patch by (rules/patch.yaml). */
export const PATCH_DELETE_TOOL = 'apply_patch:delete';
export const PATCH_WRITE_TOOL = 'apply_patch:write';

export interface PatchFiles {
  /** Added, updated and moved-to paths, in patch order, de-duplicated. */
  written: string[];
  /** Deleted paths. */
  deleted: string[];
  /** Old paths of files renamed by `*** Move to:` (their content lives on at the new path). */
  movedFrom: string[];
}

/** The patch body carried by a tool call, or undefined when it carries none. */
export function findPatchBody(command: string, args: Record<string, unknown>): string | undefined {
  const fromCommand = patchIn(command);
  if (fromCommand !== undefined) return fromCommand;
  for (const key of PATCH_ARGUMENTS) {
    const value = args[key];
    if (typeof value === 'string') {
      const body = patchIn(value);
      if (body !== undefined) return body;
    } else if (Array.isArray(value) && value.length >= 2 && typeof value[0] === 'string' && PATCH_PROGRAMS.test(value[0])) {
      // The argv form: ["apply_patch", "*** Begin Patch…"].
      const body = typeof value[1] === 'string' ? patchIn(value[1]) : undefined;
      if (body !== undefined) return body;
    }
  }
  return undefined;
}

function patchIn(text: string): string | undefined {
  if (text === '') return undefined;
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  if (text.startsWith(PATCH_BEGIN, i)) return text.slice(i);
  if (!PATCH_PROGRAMS.test(text.slice(0, 64))) return undefined;
  const at = text.indexOf(PATCH_BEGIN);
  return at === -1 ? undefined : text.slice(at);
}

/** The files a patch body touches (headers after `*** End Patch` are ignored). */
export function parsePatch(body: string): PatchFiles {
  const written: string[] = [];
  const deleted: string[] = [];
  const movedFrom: string[] = [];
  let updating = '';
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    // Only header lines are looked at; content lines are skipped by their first character.
    if (body.charCodeAt(start) === 42 /* * */ && body.startsWith('*** ', start)) {
      let line = body.slice(start, end);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.startsWith(PATCH_END)) break;
      const added = header(line, '*** Add File:');
      const updated = header(line, '*** Update File:');
      const removed = header(line, '*** Delete File:');
      const moved = header(line, '*** Move to:');
      if (added !== undefined) {
        push(written, added);
        updating = '';
      } else if (updated !== undefined) {
        push(written, updated);
        updating = updated;
      } else if (removed !== undefined) {
        push(deleted, removed);
        updating = '';
      } else if (moved !== undefined && updating !== '') {
        // The file is renamed: its old path is gone, the new one written.
        const at = written.indexOf(updating);
        if (at !== -1) written.splice(at, 1);
        push(movedFrom, updating);
        push(written, moved);
        updating = '';
      }
    }
    start = end + 1;
  }
  return { written, deleted, movedFrom };
}

function header(line: string, prefix: string): string | undefined {
  if (!line.startsWith(prefix)) return undefined;
  const path = line.slice(prefix.length).trim();
  return path === '' ? undefined : path;
}

function push(list: string[], path: string): void {
  if (!list.includes(path)) list.push(path);
}

/**
 * A patch as rule subjects: one for the files it deletes (tool `apply_patch:delete`), one for
 * the files it adds, updates or moves (tool `apply_patch:write`, the old path of a move among
 * its targets). Each carries its paths as targets, so path lists (wide, sensitive,
 * regenerable) decide severity the way they do for `rm` and file tools.
 */
export function patchSubjects(files: PatchFiles, tools: ToolSpec[], cwd: string): ToolSubject[] {
  const subjects: ToolSubject[] = [];
  const targetsOf = (paths: string[]): Target[] => paths.map((p) => ({ value: resolvePath(p, cwd), unknown: false }));
  if (files.deleted.length > 0) {
    const args: Record<string, unknown> = { deleted: files.deleted };
    if (files.deleted.length >= MANY_DELETED_FILES) args.many_files = true;
    subjects.push(subject(PATCH_DELETE_TOOL, tools, args, targetsOf(files.deleted), `apply_patch: delete ${files.deleted.join(' ')}`));
  }
  if (files.written.length > 0 || files.movedFrom.length > 0 || subjects.length === 0) {
    const paths = [...files.written, ...files.movedFrom];
    subjects.push(subject(PATCH_WRITE_TOOL, tools, { written: files.written, moved_from: files.movedFrom }, targetsOf(paths), `apply_patch: write ${paths.join(' ')}`));
  }
  return subjects;
}

function subject(tool: string, tools: ToolSpec[], args: Record<string, unknown>, targets: Target[], text: string): ToolSubject {
  return { kind: 'tool', tool, toolKind: findToolSpec(tools, tool).kind, args, httpMethod: '', urlIsCollection: false, targets, text };
}
