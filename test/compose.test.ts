/**
 * `docker compose up --scale warden=N` holds, checked on the files themselves (no Docker engine
 * runs these tests): docker-compose.yml parsed with the `yaml` package, and the proxy's HAProxy
 * configuration it mounts parsed into sections. What scaling needs: the `warden` service binds no
 * host port and names nothing per-container (host name, container name, instance id, advertise
 * URL) that every replica would share; its data dir is its own (not a named volume); the token
 * file is one file on a shared volume, created once by a one-shot service every replica waits
 * for; a proxy publishes 4318 and 4317 on the host's loopback and balances over the service name,
 * looked up again through Docker's DNS, gRPC as HTTP/2; Kafka gets every topic a setting names by
 * default (read from config/settings.ts, not copied), the revocation topic compacted; re-keying by session is on; the proxy and
 * the replicas have health checks. When an `haproxy` binary is installed, it checks the
 * configuration's syntax too (`haproxy -c`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { SETTING_DEFAULTS } from '../config/settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: unknown;
  user?: string;
  hostname?: string;
  container_name?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
  ports?: (string | number | { host_ip?: string; published?: string | number; target: number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  command?: string | string[];
  entrypoint?: string | string[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(fs.readFileSync(COMPOSE_FILE, 'utf8')) as Compose;

function service(name: string): Service {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has a "${name}" service`);
  return found;
}

/** A service's environment as a map, `$$` read as compose reads it (a literal `$`). */
function environment(s: Service): Record<string, string> {
  const raw = s.environment ?? {};
  const entries: [string, string][] = Array.isArray(raw)
    ? raw.map((line) => [line.slice(0, line.indexOf('=') < 0 ? undefined : line.indexOf('=')), line.includes('=') ? line.slice(line.indexOf('=') + 1) : ''])
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries.map(([k, v]) => [k, v.replaceAll('$$', '$')]));
}

interface Port {
  hostIp: string;
  published: string;
  target: number;
}
function ports(s: Service): Port[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'object') return { hostIp: p.host_ip ?? '', published: String(p.published ?? ''), target: p.target };
    const parts = String(p).split(':');
    const target = Number(parts.at(-1)!.split('/')[0]);
    if (parts.length === 1) return { hostIp: '', published: '', target };
    if (parts.length === 2) return { hostIp: '', published: parts[0]!, target };
    return { hostIp: parts.slice(0, -2).join(':'), published: parts.at(-2)!, target };
  });
}

interface Mount {
  /** A named volume's name, a bind mount's host path, or '' for an anonymous volume. */
  source: string;
  kind: 'named' | 'bind' | 'anonymous';
  target: string;
  readOnly: boolean;
}
function mounts(s: Service): Mount[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v === 'object') {
      const source = v.source ?? '';
      const kind = v.type === 'bind' ? 'bind' : source === '' ? 'anonymous' : 'named';
      return { source, kind, target: v.target, readOnly: v.read_only === true };
    }
    const parts = v.split(':');
    if (parts.length === 1) return { source: '', kind: 'anonymous', target: parts[0]!, readOnly: false };
    const source = parts[0]!;
    const kind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~') ? 'bind' : 'named';
    return { source, kind, target: parts[1]!, readOnly: (parts[2] ?? '').split(',').includes('ro') };
  });
}

/** The mount a path inside the container lies on (the deepest target that contains it). */
function mountOf(s: Service, file: string): Mount | undefined {
  return mounts(s)
    .filter((m) => file === m.target || file.startsWith(`${m.target.replace(/\/$/, '')}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
}

function dependsOn(s: Service): Record<string, string> {
  const raw = s.depends_on ?? {};
  return Array.isArray(raw) ? Object.fromEntries(raw.map((n) => [n, 'service_started'])) : Object.fromEntries(Object.entries(raw).map(([n, d]) => [n, d.condition ?? 'service_started']));
}

const scriptOf = (s: Service): string => [s.entrypoint, s.command].flat().filter((x): x is string => typeof x === 'string').join('\n').replaceAll('$$', '$');

/** The service publishing a host port for this container port, with the file it mounts. */
function proxyService(): [string, Service] {
  const found = Object.entries(compose.services).find(([name, s]) => name !== 'warden' && ports(s).some((p) => p.published === '4318'));
  assert.ok(found, 'a service other than warden publishes the host port 4318');
  return found;
}

// ---- HAProxy configuration ----------------------------------------------------------------------

interface Section {
  kind: string;
  name: string;
  lines: string[];
}
/** HAProxy's configuration as sections of directive lines (comments and blank lines dropped). */
function haproxySections(text: string): Section[] {
  const sections: Section[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const head = /^(global|defaults|frontend|backend|listen|resolvers|peers|userlist|program|http-errors|ring|cache)\b\s*(\S*)/.exec(line);
    if (head && !/^\s/.test(raw)) sections.push({ kind: head[1]!, name: head[2] ?? '', lines: [] });
    else {
      assert.ok(sections.length > 0, `a directive before any section: ${line}`);
      sections.at(-1)!.lines.push(line);
    }
  }
  return sections;
}

function proxyConfig(): { file: string; text: string; sections: Section[] } {
  const [name, proxy] = proxyService();
  const mount = mounts(proxy).find((m) => m.kind === 'bind' && /haproxy\.cfg$/.test(m.target));
  assert.ok(mount, `${name} mounts an haproxy.cfg from the repository`);
  assert.equal(mount.target, '/usr/local/etc/haproxy/haproxy.cfg', 'where the official haproxy image reads its configuration');
  assert.match(proxy.image ?? '', /^haproxy:\d/, 'the official haproxy image, pinned to a version');
  const file = path.join(ROOT, mount.source);
  assert.ok(fs.existsSync(file), `${mount.source} exists`);
  const text = fs.readFileSync(file, 'utf8');
  return { file, text, sections: haproxySections(text) };
}

/** The backend a frontend bound to this port sends to, and the frontend's bind line. */
function route(sections: Section[], port: number): { bind: string; backend: Section } {
  const frontend = sections.find((s) => (s.kind === 'frontend' || s.kind === 'listen') && s.lines.some((l) => new RegExp(`^bind\\s+\\S*:${port}\\b`).test(l)));
  assert.ok(frontend, `a frontend binds port ${port}`);
  const bind = frontend.lines.find((l) => new RegExp(`^bind\\s+\\S*:${port}\\b`).test(l))!;
  if (frontend.kind === 'listen') return { bind, backend: frontend };
  const target = frontend.lines.map((l) => /^default_backend\s+(\S+)/.exec(l)?.[1]).find((x) => x !== undefined);
  const backend = sections.find((s) => s.kind === 'backend' && s.name === target);
  assert.ok(backend, `the frontend on ${port} sends to a backend that exists (${String(target)})`);
  return { bind, backend };
}

/** A backend's servers with `defaults`' default-server options prepended, as HAProxy reads them. */
function servers(sections: Section[], backend: Section): string[] {
  const defaults = sections.filter((s) => s.kind === 'defaults').flatMap((s) => s.lines.filter((l) => l.startsWith('default-server ')));
  const own = backend.lines.filter((l) => l.startsWith('default-server '));
  const extra = [...defaults, ...own].map((l) => l.slice('default-server '.length)).join(' ');
  return backend.lines.filter((l) => /^(server|server-template)\s/.test(l)).map((l) => `${l} ${extra}`);
}

// ---- the checks ---------------------------------------------------------------------------------

test('warden binds no host port: replicas would collide on it (the proxy publishes the ports)', () => {
  assert.deepEqual(ports(service('warden')), [], 'the warden service publishes no port');
  const warden = service('warden');
  assert.equal(warden.container_name, undefined, 'no container_name: every replica would take it');
  assert.equal(warden.hostname, undefined, 'no fixed hostname: replicas tell themselves apart by theirs');
  const env = environment(warden);
  assert.equal(env.WARDEN_INSTANCE_ID, undefined, 'no fixed instance id: each replica names itself on the revocation topic (its host name)');
  assert.equal(env.WARDEN_ADVERTISE_URL, undefined, 'no fixed advertise URL: each replica advertises its own host name for gate forwarding');
});

test('each replica keeps its local files in a data dir of its own, not a named volume all would share', () => {
  const warden = service('warden');
  const dataDir = environment(warden).WARDEN_DATA_DIR;
  assert.ok(dataDir, 'WARDEN_DATA_DIR is set');
  const mount = mountOf(warden, dataDir);
  assert.ok(mount === undefined || mount.kind === 'anonymous', `the data dir ${dataDir} is not on a named volume or bind mount (found ${JSON.stringify(mount)})`);
  assert.deepEqual(mounts(warden).filter((m) => m.kind !== 'anonymous' && !m.readOnly), [], 'the warden service mounts nothing shared writable');
});

test('one token file, created once by a one-shot service before any replica starts, read by every replica', () => {
  const warden = service('warden');
  const env = environment(warden);
  const tokens = env.WARDEN_TOKENS_FILE;
  assert.ok(tokens, 'WARDEN_TOKENS_FILE is set (its default lies in the per-replica data dir)');
  assert.ok(!tokens.startsWith(`${env.WARDEN_DATA_DIR!.replace(/\/$/, '')}/`), 'the token file is outside the per-replica data dir');
  const mount = mountOf(warden, tokens);
  assert.ok(mount && mount.kind === 'named', `the token file ${tokens} lies on a named volume (found ${JSON.stringify(mount)})`);
  assert.ok(mount.readOnly, 'replicas mount it read-only: none of them writes it');
  assert.ok(compose.volumes && mount.source in compose.volumes, `the volume ${mount.source} is declared`);

  const creators = Object.entries(compose.services).filter(([name, s]) => name !== 'warden' && mounts(s).some((m) => m.source === mount.source && !m.readOnly));
  assert.equal(creators.length, 1, `one service writes the ${mount.source} volume`);
  const [initName, init] = creators[0]!;
  assert.equal(init.restart, 'no', `${initName} is a one-shot`);
  assert.equal(dependsOn(warden)[initName], 'service_completed_successfully', `warden waits for ${initName} to have succeeded`);
  const initMount = mounts(init).find((m) => m.source === mount.source)!;
  const initTokens = environment(init).WARDEN_TOKENS_FILE;
  assert.equal(initTokens?.replace(initMount.target, ''), tokens.replace(mount.target, ''), `${initName} writes the file warden reads`);
  // It creates the file with Warden's own code (the same format and first token as `warden start`).
  const script = scriptOf(init);
  const imported = /import\('\/app\/dist\/([^']+)\.js'\)/.exec(script);
  assert.ok(imported && /\bloadOrCreateTokens\(/.test(script), `${initName} creates the file with loadOrCreateTokens from the image's build`);
  const source = fs.readFileSync(path.join(ROOT, `${imported[1]}.ts`), 'utf8');
  assert.match(source, /export function loadOrCreateTokens\(/, `${imported[1]}.ts exports loadOrCreateTokens`);
  assert.equal(init.image, warden.image, `${initName} runs the warden image`);
  assert.match(script, /chown -R node:node/, 'the new volume is handed to the user replicas run as');
});

test('a proxy publishes 4318 and 4317 on loopback and balances over the warden service name, found again through Docker DNS', () => {
  const [name, proxy] = proxyService();
  for (const port of [4318, 4317]) {
    const published = ports(proxy).find((p) => p.target === port);
    assert.ok(published, `${name} publishes ${port}`);
    assert.deepEqual(published, { hostIp: '127.0.0.1', published: String(port), target: port }, `${port} on the host's loopback only`);
  }
  assert.notEqual(dependsOn(proxy).warden, undefined, `${name} starts after warden`);

  const { sections } = proxyConfig();
  const resolvers = sections.filter((s) => s.kind === 'resolvers');
  const docker = resolvers.find((s) => s.lines.some((l) => /^nameserver\s+\S+\s+127\.0\.0\.11:53$/.test(l)));
  assert.ok(docker, "a resolvers section asks Docker's embedded DNS (127.0.0.11:53)");
  assert.ok(docker.lines.some((l) => /^hold valid\s+\d+s$/.test(l)), 'its answers are held for seconds, then asked again');
  for (const port of [4318, 4317]) {
    const { backend } = route(sections, port);
    const list = servers(sections, backend);
    assert.equal(list.length, 1, `backend ${backend.name}: one server-template line`);
    const line = list[0]!;
    const template = /^server-template\s+\S+\s+(?:1-)?(\d+)\s+warden:(\d+)\s/.exec(line);
    assert.ok(template, `backend ${backend.name} fills its servers from the service name warden (${line})`);
    assert.equal(Number(template[2]), port, `backend ${backend.name} reaches the replicas' port ${port}`);
    assert.ok(Number(template[1]) >= 3, 'room for at least three replicas');
    assert.match(line, new RegExp(`\\sresolvers\\s+${docker.name}\\b`), 'servers re-resolved through the Docker resolver');
    assert.match(line, /\sinit-addr\s+none\b/, 'the proxy starts even before any replica resolves');
    assert.match(line, /\scheck\b/, 'a replica that stops answering leaves the pool');
  }
});

test('gRPC goes through as HTTP/2 on both sides', () => {
  const { sections } = proxyConfig();
  const { bind, backend } = route(sections, 4317);
  assert.match(bind, /\sproto\s+h2\b/, 'the gRPC frontend speaks HTTP/2 (cleartext) to clients');
  assert.ok(!sections.some((s) => s.lines.some((l) => /^mode\s+tcp\b/.test(l)) && (s.kind === 'defaults' || s === backend)), 'HTTP mode: balanced per call, not per connection');
  assert.match(servers(sections, backend)[0]!, /\sproto\s+h2\b/, 'and HTTP/2 to the replicas');
});

test('kafka-init creates every topic a setting names by default, the session topics with the OTLP topics\' partitions', () => {
  const topicSettings = Object.entries(SETTING_DEFAULTS).filter(([name]) => /^KAFKA_TOPIC_/.test(name));
  assert.ok(topicSettings.length >= 6, 'config/settings.ts names the topics');
  const env = environment(service('warden'));
  const created = new Map([...scriptOf(service('kafka-init')).matchAll(/^\s*create\s+(\S+)\s+(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
  const missing = topicSettings.map(([name, fallback]) => env[name] ?? String(fallback)).filter((topic) => !created.has(topic));
  assert.deepEqual(missing, [], 'topics Warden uses that kafka-init does not create (the broker does not auto-create topics)');
  const partitions = (setting: string): number | undefined => created.get(env[setting] ?? String(SETTING_DEFAULTS[setting as keyof typeof SETTING_DEFAULTS]));
  assert.equal(partitions('KAFKA_TOPIC_SESSION_LOGS'), partitions('KAFKA_TOPIC_LOGS'), 'as many owners of sessions as OTLP partitions');
  assert.equal(partitions('KAFKA_TOPIC_SESSION_SPANS'), partitions('KAFKA_TOPIC_SPANS'));
  assert.ok((partitions('KAFKA_TOPIC_SESSION_LOGS') ?? 0) >= 3, 'room for three replicas owning sessions');
  // A replica started later relearns every revocation from this topic (respond/kill-switch/revocation-topic.ts).
  const revocations = env.KAFKA_TOPIC_REVOCATIONS ?? SETTING_DEFAULTS.KAFKA_TOPIC_REVOCATIONS;
  assert.equal(partitions('KAFKA_TOPIC_REVOCATIONS'), 1, 'revocations in one order');
  assert.match(scriptOf(service('kafka-init')), new RegExp(`^\\s*create\\s+${revocations}\\s+1\\s+.*--config cleanup\\.policy=compact`, 'm'), 'the revocation topic keeps the last record of every session');
});

test('re-keying by session is on: the Collector never keys by session, and several replicas must each see whole sessions', () => {
  const value = environment(service('warden')).KAFKA_REKEY;
  assert.equal(value, 'true', `KAFKA_REKEY is "true" (found ${JSON.stringify(value)})`);
});

test('the proxy and the replicas have health checks; the proxy is healthy while a replica passes its check', () => {
  const [name, proxy] = proxyService();
  for (const [n, s] of [['warden', service('warden')], [name, proxy]] as const) {
    assert.ok(s.healthcheck && s.healthcheck.disable !== true && s.healthcheck.test !== undefined, `${n} has a health check`);
  }
  assert.equal(dependsOn(proxy).warden, 'service_healthy', `${name} starts once a replica is healthy`);
  const { sections } = proxyConfig();
  const monitor = sections.find((s) => s.kind === 'frontend' && s.lines.some((l) => l.startsWith('monitor-uri ')));
  assert.ok(monitor, 'the proxy answers its own health on a monitor URI');
  const uri = monitor.lines.find((l) => l.startsWith('monitor-uri '))!.split(/\s+/)[1]!;
  const port = /^bind\s+\S*:(\d+)/.exec(monitor.lines.find((l) => l.startsWith('bind '))!)![1]!;
  assert.ok(monitor.lines.some((l) => /^monitor fail if \{ nbsrv\(\S+\) lt 1 \}$/.test(l)), 'and fails it while no replica is up');
  const check = [proxy.healthcheck!.test].flat().join(' ');
  assert.ok(check.includes(`/dev/tcp/127.0.0.1/${port}`) && check.includes(`GET ${uri} `), `the health check asks ${uri} on ${port} (${check})`);
  // The replicas' health check is what the proxy checks too.
  const { backend } = route(sections, 4318);
  assert.ok(backend.lines.some((l) => /^http-check send meth GET uri \/healthz$/.test(l)), 'the proxy checks each replica\'s /healthz');
  // Every service left running has a health check.
  const unchecked = Object.entries(compose.services).filter(([, s]) => s.restart !== 'no' && (s.healthcheck === undefined || s.healthcheck.disable === true)).map(([n]) => n);
  assert.deepEqual(unchecked, [], 'long-running services without a health check');
});

const haproxy = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
test('the proxy configuration passes haproxy -c', { skip: haproxy.status === 0 ? false : 'no haproxy binary on this machine (apt-get install haproxy)' }, () => {
  const { file } = proxyConfig();
  // -dW: a warning fails the check too.
  const out = execFileSync('haproxy', ['-c', '-dW', '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(out, /Configuration file is valid/);
});
