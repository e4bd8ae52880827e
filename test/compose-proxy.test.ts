/**
 * The compose stack's proxy (serve/proxy/haproxy.cfg) run for real, without Docker: a real
 * `haproxy` on the repository's configuration with only its addresses moved (Docker's DNS at
 * 127.0.0.11:53 → a small DNS responder this test runs; the listening and replica ports → free
 * ones), in front of two stand-in replicas on 127.0.0.2 and 127.0.0.3 (HTTP, and HTTP/2 cleartext
 * as gRPC is). The responder answers the service name `warden` as Docker's DNS does for a scaled
 * service: one A record per running replica. Shown: requests and the streams of one HTTP/2
 * connection reach both replicas; when a replica leaves the DNS answer, the proxy stops sending to
 * it without a restart; its health answer is 200 while a replica is up and 503 when none is.
 * Skipped when no `haproxy` binary is installed (CI installs one).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './helpers/wait-for.js';

const CONFIG = fileURLToPath(new URL('../serve/proxy/haproxy.cfg', import.meta.url));
const REPLICAS = ['127.0.0.2', '127.0.0.3'];
const hasHaproxy = spawnSync('haproxy', ['-v']).status === 0;

/** Answers A queries for `warden` with `answer()`'s addresses; anything else with no record. */
function dnsResponder(answer: () => string[]): Promise<{ port: number; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    let offset = 12;
    const labels: string[] = [];
    while (offset < query.length && query[offset] !== 0) {
      labels.push(query.subarray(offset + 1, offset + 1 + query[offset]!).toString('latin1'));
      offset += query[offset]! + 1;
    }
    const questionEnd = offset + 5;
    const type = query.readUInt16BE(offset + 1);
    const addresses = labels.join('.').toLowerCase() === 'warden' && type === 1 ? answer() : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8180, 2); // a response, recursion desired and available, no error
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(addresses.length, 6);
    const records = addresses.map((address) => {
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      record.writeUInt16BE(1, 2); // A
      record.writeUInt16BE(1, 4); // IN
      record.writeUInt32BE(1, 6); // TTL
      record.writeUInt16BE(4, 10);
      address.split('.').forEach((part, i) => (record[12 + i] = Number(part)));
      return record;
    });
    socket.send(Buffer.concat([header, query.subarray(12, questionEnd), ...records]), peer.port, peer.address);
  });
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve({ port: socket.address().port, close: () => socket.close() })));
}

/** A TCP port free on every given address (asked of the first, checked on the rest). */
async function freePort(hosts: string[]): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer().listen(0, hosts[0], () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
      server.on('error', reject);
    });
    const freeEverywhere = await Promise.all(
      hosts.slice(1).map(
        (host) =>
          new Promise<boolean>((resolve) => {
            const probe = net.createServer().listen(port, host, () => probe.close(() => resolve(true)));
            probe.on('error', () => resolve(false));
          }),
      ),
    );
    if (freeEverywhere.every(Boolean)) return port;
  }
}

let replicasInDns = [...REPLICAS];
let proxy: ChildProcess | undefined;
let proxyLog = '';
const closers: (() => void)[] = [];
const ports = { http: 0, grpc: 0, health: 0 };

before(async () => {
  if (!hasHaproxy) return;
  const dns = await dnsResponder(() => replicasInDns);
  closers.push(dns.close);
  const replicaHttp = await freePort(REPLICAS);
  const replicaGrpc = await freePort(REPLICAS);
  for (const address of REPLICAS) {
    const api = http.createServer((req, res) => res.end(req.url === '/healthz' ? '{"status":"ok"}' : address));
    const grpc = http2.createServer();
    grpc.on('stream', (stream, headers) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.end(`${address} ${String(headers['content-type'])}`);
    });
    await new Promise<void>((resolve) => api.listen(replicaHttp, address, resolve));
    await new Promise<void>((resolve) => grpc.listen(replicaGrpc, address, resolve));
    closers.push(() => api.close(), () => grpc.close());
  }
  ports.http = await freePort(['127.0.0.1']);
  ports.grpc = await freePort(['127.0.0.1']);
  ports.health = await freePort(['127.0.0.1']);
  // The repository's file, only its addresses moved; a line the replacements miss fails here.
  const original = fs.readFileSync(CONFIG, 'utf8');
  const moves: [RegExp, string][] = [
    [/nameserver (\S+) 127\.0\.0\.11:53/, `nameserver $1 127.0.0.1:${dns.port}`],
    [/bind :4318\b/, `bind 127.0.0.1:${ports.http}`],
    [/bind :4317 proto h2\b/, `bind 127.0.0.1:${ports.grpc} proto h2`],
    [/bind 127\.0\.0\.1:8405\b/, `bind 127.0.0.1:${ports.health}`],
    [/warden:4318\b/, `warden:${replicaHttp}`],
    [/warden:4317\b/, `warden:${replicaGrpc}`],
  ];
  let moved = original;
  for (const [from, to] of moves) {
    assert.match(moved, from, `the proxy configuration has ${String(from)}`);
    moved = moved.replace(from, to);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-proxy-'));
  closers.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'haproxy.cfg'), moved);
  proxy = spawn('haproxy', ['-db', '-f', path.join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
  proxy.stdout!.on('data', (chunk: Buffer) => (proxyLog += chunk.toString()));
  proxy.stderr!.on('data', (chunk: Buffer) => (proxyLog += chunk.toString()));
});

after(() => {
  proxy?.kill('SIGTERM');
  for (const close of closers) close();
});

async function health(): Promise<number | string> {
  try {
    return (await fetch(`http://127.0.0.1:${ports.health}/healthz`)).status;
  } catch (err) {
    return String((err as { cause?: { code?: string } }).cause?.code ?? err);
  }
}

/** Which replica answered each of `n` requests through the proxy's HTTP port. */
async function httpAnswers(n: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < n; i++) answers.push(await (await fetch(`http://127.0.0.1:${ports.http}/v1/traces`)).text());
  return answers;
}

/** Which replica answered each of `n` gRPC-like calls, all on one HTTP/2 connection. */
async function grpcAnswers(n: number): Promise<string[]> {
  const client = http2.connect(`http://127.0.0.1:${ports.grpc}`);
  try {
    const answers: string[] = [];
    for (let i = 0; i < n; i++) {
      answers.push(
        await new Promise<string>((resolve, reject) => {
          const call = client.request({ ':method': 'POST', ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export', 'content-type': 'application/grpc' });
          let body = '';
          call.on('data', (chunk: Buffer) => (body += chunk.toString()));
          call.on('end', () => resolve(body));
          call.on('error', reject);
          call.end();
        }),
      );
    }
    return answers;
  } finally {
    client.close();
  }
}

const distinct = (answers: string[]): string[] => [...new Set(answers.map((a) => a.split(' ')[0]!))].sort();

test('the proxy finds the replicas by the service name and spreads HTTP requests and gRPC calls over them, then follows a scale-down', { skip: hasHaproxy ? false : 'no haproxy binary on this machine (apt-get install haproxy)' }, async () => {
  await waitFor(health, (status) => status === 200, { what: `the proxy's health once replicas resolve (log: ${proxyLog})`, intervalMs: 100 });
  // Both replicas pass the proxy's checks before both can be expected to answer.
  const both = await waitFor(() => httpAnswers(8), (answers) => distinct(answers).length === 2, { what: 'HTTP answers from both replicas', intervalMs: 100 });
  assert.deepEqual(distinct(both), REPLICAS);
  const calls = await grpcAnswers(8);
  assert.deepEqual(distinct(calls), REPLICAS, 'the calls of one HTTP/2 connection reach both replicas');
  assert.ok(calls.every((c) => c.endsWith('application/grpc')), 'as HTTP/2 with the gRPC content type');

  // Scaled down to one: it leaves the DNS answer, and the proxy stops sending to it.
  replicasInDns = [REPLICAS[1]!];
  await waitFor(() => httpAnswers(8), (answers) => distinct(answers).length === 1, { what: 'HTTP answers from the remaining replica only', intervalMs: 200 });
  assert.deepEqual(distinct(await httpAnswers(8)), [REPLICAS[1]]);
  assert.deepEqual(distinct(await grpcAnswers(8)), [REPLICAS[1]]);

  // None left: the proxy says it is unhealthy.
  replicasInDns = [];
  await waitFor(health, (status) => status === 503, { what: "the proxy's health with no replica", intervalMs: 200 });
});
