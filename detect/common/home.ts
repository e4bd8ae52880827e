/**
 * The session's home directory. Targets may carry a literal `~` (the classifier does not know
 * whose home it is); detectors infer the home from the working directory (`/home/<u>`,
 * `/Users/<u>`, `/root`) and write targets both ways: absolute for distance, home-relative
 * (`~/…`) for pattern lists, so a list entry `~/.ssh/**` matches either spelling and
 * `/home/*` patterns only see other users' homes.
 */

const HOME = /^(\/home\/[^/]+|\/Users\/[^/]+|\/root)(?=\/|$)/;

/** The home directory a working directory lies in, or '' when it lies in none. */
export function inferHome(cwd: string): string {
  const m = HOME.exec(cwd);
  return m ? m[1]! : '';
}

/** `~/x` → `<home>/x` when the home is known. */
export function expandHome(target: string, home: string): string {
  if (home === '' || !(target === '~' || target.startsWith('~/'))) return target;
  return home + target.slice(1);
}

/** `<home>/x` → `~/x` when the home is known; other targets unchanged. */
export function homeRelative(target: string, home: string): string {
  if (home === '') return target;
  if (target === home) return '~';
  return target.startsWith(`${home}/`) ? `~${target.slice(home.length)}` : target;
}
