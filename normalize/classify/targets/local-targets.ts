/**
 * Target builders for programs acting on the local machine: plain path arguments, `find`
 * roots, `dd of=`, redirections, docker objects, redis keys and URLs (curl, wget).
 */
import type { CommandSubject, Target } from '../evaluate/subject.js';
import { pathTarget, resolvePath } from './paths.js';

const NOT_A_PATH = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '-']);

export function pathTargets(s: CommandSubject, cwd: string): void {
  const skip = s.spec?.skip_positionals ?? 0;
  for (const w of s.argv.positionals.slice(skip)) {
    const t = pathTarget(w, cwd);
    if (!NOT_A_PATH.has(t.value)) s.targets.push(t);
  }
}

export function findTargets(s: CommandSubject, cwd: string): void {
  for (const w of s.words.slice(1)) {
    if (w.text.startsWith('-') || w.text === '(' || w.text === '!') break;
    s.targets.push(pathTarget(w, cwd));
  }
  if (s.targets.length === 0) s.targets.push({ value: resolvePath('.', cwd), unknown: false });
}

export function ddTargets(s: CommandSubject, cwd: string): void {
  for (const w of s.argv.positionals) {
    if (w.text.startsWith('of=')) s.targets.push(pathTarget({ ...w, text: w.text.slice(3), unknownRoot: w.text.startsWith('of=$') }, cwd));
  }
}

export function dockerTargets(s: CommandSubject): void {
  const host = s.argv.options.get('host')?.[0] ?? 'local';
  const group = s.argv.subcommand[0] ?? '';
  const kinds: Record<string, string> = { rm: 'container', rmi: 'image', kill: 'container', stop: 'container' };
  const kind = kinds[group] ?? group;
  const names = s.argv.positionals.filter((p) => !p.unknown).map((p) => p.text);
  if (names.length === 0 || ['system', 'compose'].includes(group)) s.targets.push({ value: `docker://${host}/${kind}/*`, unknown: false });
  else for (const n of names) s.targets.push({ value: `docker://${host}/${kind}/${n}`, unknown: false });
}

export function redisTargets(s: CommandSubject): void {
  const db = s.argv.options.get('db')?.[0] ?? '0';
  const host = s.argv.options.get('host')?.[0] ?? 'localhost';
  const keyed = ['del', 'unlink', 'get', 'set', 'expire', 'hget', 'hset', 'hdel', 'lpush', 'rpush'].includes(s.argv.subcommand[0] ?? '');
  const keys = keyed ? s.argv.positionals.map((p) => p.text) : [];
  if (keys.length === 0) s.targets.push({ value: `db://redis/${host}:${db}/*`, unknown: false });
  else for (const k of keys) s.targets.push({ value: `db://redis/${host}:${db}/${k}`, unknown: false });
}

export function urlTarget(raw: string): Target | undefined {
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return { value: `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '') || ''}`, unknown: false };
  } catch {
    return undefined;
  }
}

export function urlTargets(s: CommandSubject): void {
  for (const p of s.argv.positionals) {
    const t = urlTarget(p.text);
    if (t) s.targets.push(t);
  }
}
