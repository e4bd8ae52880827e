// Preload (`node --import ./record-loads.mjs …`) that records every module the process loads
// into the file named by WARDEN_RECORD_LOADS, one URL or path a line: ES modules and the entry
// points of CommonJS packages through a module loader hook (module.register), and every CommonJS
// module through require.cache when the process exits. Worker threads inherit the preload and
// record theirs too. test/build.test.ts reads package names out of the node_modules paths.
import { createRequire, register } from 'node:module';
import { appendFileSync } from 'node:fs';

const file = process.env.WARDEN_RECORD_LOADS;
if (file) {
  register('./record-loads-hooks.mjs', import.meta.url, { data: { file } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const paths = Object.keys(require.cache);
    if (paths.length > 0) appendFileSync(file, `${paths.join('\n')}\n`);
  });
}
