/**
 * Warden's session group yields the CPU: on this machine's own kernel, a detached process (its
 * own session, as `warden start` runs as a service) lowers its group and reads it back, and one
 * that shares its parent's session leaves that session alone; on a stand-in /proc, every other
 * answer (off, no session groups, a refused write).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { silentLogger } from './logger.js';
import { yieldSessionCpu } from './session-priority.js';

const MODULE = fileURLToPath(new URL('./session-priority.ts', import.meta.url));
const SWITCH = '/proc/sys/kernel/sched_autogroup_enabled';
const kernelGroups = process.platform === 'linux' && fs.existsSync('/proc/self/autogroup') && fs.existsSync(SWITCH) && fs.readFileSync(SWITCH, 'utf8').trim() === '1';

/** Runs yieldSessionCpu in a child Node process; its outcome and its session group as the kernel reads it after. */
function inChild(detached: boolean, nice: number): Promise<{ outcome: { done: string }; autogroup: string }> {
  const script = `
    import fs from 'node:fs';
    const { yieldSessionCpu } = await import(${JSON.stringify(MODULE)});
    const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };
    const outcome = yieldSessionCpu({ nice: ${nice}, logger: silent });
    process.stdout.write(JSON.stringify({ outcome, autogroup: fs.readFileSync('/proc/self/autogroup', 'utf8').trim() }));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { detached, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

/** A stand-in /proc/self: stat of a process that leads its session (or not), and its group. */
function fakeProc(leader: boolean, autogroup = '/autogroup-7 nice 0\n'): { procSelf: string; autogroupSwitch: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-proc-'));
  // pid 4242, name with a space and a parenthesis, state S, ppid 1, pgrp, session
  fs.writeFileSync(path.join(dir, 'stat'), `4242 (node (x) y) S 1 4242 ${leader ? 4242 : 17} 0 -1 4194560 0 0 0 0\n`);
  fs.writeFileSync(path.join(dir, 'autogroup'), autogroup);
  fs.writeFileSync(path.join(dir, 'switch'), '1\n');
  return { procSelf: dir, autogroupSwitch: path.join(dir, 'switch') };
}

describe("Warden's session group yields the CPU (WARDEN_NICE)", () => {
  const noGroups = !kernelGroups && 'this kernel does not group processes by session (no /proc/self/autogroup, or sched_autogroup_enabled is 0)';

  it('a process that leads its own session lowers its group, and the kernel reads it back', { skip: noGroups }, async () => {
    const { outcome, autogroup } = await inChild(true, 3);
    assert.deepEqual(outcome, { done: 'lowered', nice: 3 });
    assert.match(autogroup, /nice 3$/);
  });

  it("a process started in another's session leaves that session alone", { skip: noGroups }, async () => {
    const before = fs.readFileSync('/proc/self/autogroup', 'utf8').trim();
    const { outcome, autogroup } = await inChild(false, 3);
    assert.deepEqual(outcome, { done: 'shared-session' });
    assert.equal(autogroup, before, 'the shared session group keeps its nice value');
    assert.equal(fs.readFileSync('/proc/self/autogroup', 'utf8').trim(), before);
  });

  it('0 turns it off without reading anything', () => {
    assert.deepEqual(yieldSessionCpu({ nice: 0, logger: silentLogger, procSelf: '/nonexistent', autogroupSwitch: '/nonexistent' }), { done: 'off' });
  });

  it('does nothing where the kernel does not group by session', () => {
    const proc = fakeProc(true);
    fs.writeFileSync(proc.autogroupSwitch, '0\n');
    assert.deepEqual(yieldSessionCpu({ nice: 5, logger: silentLogger, ...proc }), { done: 'no-session-groups' });
    assert.match(fs.readFileSync(path.join(proc.procSelf, 'autogroup'), 'utf8'), /nice 0/);
    assert.deepEqual(yieldSessionCpu({ nice: 5, logger: silentLogger, procSelf: proc.procSelf, autogroupSwitch: '/nonexistent' }), { done: 'no-session-groups' });
    fs.rmSync(proc.procSelf, { recursive: true, force: true });
  });

  it('reads the session from a stat line whose process name holds spaces and parentheses', () => {
    const shared = fakeProc(false);
    assert.deepEqual(yieldSessionCpu({ nice: 5, logger: silentLogger, ...shared }), { done: 'shared-session' });
    fs.rmSync(shared.procSelf, { recursive: true, force: true });
  });

  it('says it failed when the group does not read back what was written', () => {
    // A plain file takes the write but reads back "5", not the kernel's "/autogroup-N nice 5".
    const proc = fakeProc(true);
    const outcome = yieldSessionCpu({ nice: 5, logger: silentLogger, ...proc });
    assert.equal(outcome.done, 'failed');
    assert.match((outcome as { error: string }).error, /reads back "5"/);
    fs.rmSync(proc.procSelf, { recursive: true, force: true });
  });
});
