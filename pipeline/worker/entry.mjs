// Worker thread entry of the pipeline's normalize worker (normalization plus storage rows). In
// the compiled build (dist/) prepare-thread.js sits beside this file and is loaded as is. Run
// from the TypeScript sources (tests, development), the tsx loader is registered in this thread
// first: loader hooks registered on the main thread are not inherited by workers.
import { existsSync } from 'node:fs';

const compiled = new URL('./prepare-thread.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./prepare-thread.ts');
}
