// Worker thread entry: the TypeScript sources need the tsx loader registered in this thread too
// (loader hooks registered on the main thread are not inherited by workers).
import { register } from 'tsx/esm/api';

register();
await import('./worker-thread.ts');
