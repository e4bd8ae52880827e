/**
 * The `warden` command line. `warden start` runs the service; `warden hook` is what agents run
 * around each tool call; the other commands read and operate a running Warden through its API
 * (`sessions`, `timeline`, `incident`, `revoke`, `reinstate`, `query`, `demo`) or check its
 * files (`verify-log`). Run `warden --help` or `warden <command> --help`.
 *
 * Each command loads only what it needs (commands.ts): `warden hook` runs before every tool call
 * of an agent, and `warden --help` or `warden sessions` must not pay for the service's storage,
 * Kafka, SQL parser or HTTP server.
 */
import { programFor } from './commands.js';

await (await programFor(process.argv)).parseAsync(process.argv);
