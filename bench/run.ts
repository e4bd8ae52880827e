/**
 * `npm run bench`: every benchmark, one after the other, each printing its figures and their
 * same-run baselines. `npm run bench -- ingest`, `-- latency`, `-- wal`, `-- hooks`, `-- detection` or `-- operator` runs one.
 */
const which = process.argv[2];
if (which === undefined || which === 'ingest') await import('./ingest.js');
if (which === undefined || which === 'latency') await import('./latency.js');
if (which === undefined || which === 'wal') await import('./wal-latency.js');
if (which === undefined || which === 'hooks') await import('./hooks.js');
if (which === undefined || which === 'detection') await import('./detection-quality.js');
if (which === undefined || which === 'operator') await import('./operator-queries.js');
