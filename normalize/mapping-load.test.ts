/**
 * Mapping tables: the built-in set loads and compiles; a broken set is rejected at load with
 * every problem of every file in one NORMALIZE_MAPPING_INVALID error; rule precedence holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WardenError } from '../lib/errors.js';
import type { DecodedRecord } from '../decode/otlp/records.js';
import { compileMappings } from './mapping-compile.js';
import { MAPPING_INVALID, loadMappingTables, parseMappingTables } from './mapping-load.js';
import { createNormalizer } from './normalizer.js';
import { RecordView } from './record-view.js';
import { logRecord, realDeps, span, TESTDATA } from './test-kit.js';

const INVALID_DIR = fileURLToPath(new URL('./mappings_invalid/', TESTDATA));

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WardenError);
    assert.equal(err.code, MAPPING_INVALID);
    assert.equal(err.retryable, false);
    return err.details.problems as string[];
  }
  assert.fail('expected NORMALIZE_MAPPING_INVALID');
}

describe('mapping tables', () => {
  it('the built-in tables load: one base table, one per source', () => {
    const tables = loadMappingTables();
    assert.deepEqual(tables.map((t) => t.source).sort(), ['claude_code', 'codex', 'gemini_cli', 'hook', 'openinference', 'otel', 'traceloop', 'vercel_ai']);
    assert.deepEqual(tables.filter((t) => t.base).map((t) => t.source), ['otel']);
    assert.deepEqual(compileMappings(tables).sources.at(-1), 'otel', 'the base table is consulted last');
  });

  it('reports every problem of every file at once', () => {
    const problems = problemsOf(() => loadMappingTables(INVALID_DIR));
    const expected = [
      /^broken_syntax\.yaml: yaml: /,
      /^typo_fields\.yaml: fields\.sesion_id: unknown field/,
      /^typo_fields\.yaml: rules\[0\]\.mach: unknown key/,
      /^typo_fields\.yaml: rules\[0\]\.match: required/,
      /^typo_fields\.yaml: rules\[0\]\.phase: must be one of intent, execution/,
      /^typo_fields\.yaml: rules\[1\]\.phase: only tool rules have a phase/,
      /^typo_fields\.yaml: rules\[2\]\.match: a match needs at least one condition/,
      /^typo_fields\.yaml: rules\[2\]\.id: duplicate rule id 'prompt'/,
      /^typo_fields\.yaml: rules\[2\]\.fields\.command: must be a non-empty list/,
      /^duplicate_source\.yaml: rules\[0\]\.match\.signal: must be one of traces, logs/,
      /^duplicate_source\.yaml: rules\[0\]\.kind: must be one of tool, session, other/,
      /^typo_fields\.yaml: source: 'agent_x' is also the source of duplicate_source\.yaml/,
      /^\(table set\): exactly one table must have base: true, found 0/,
    ];
    for (const re of expected) assert.ok(problems.some((p) => re.test(p)), `missing ${re}\n got:\n${problems.join('\n')}`);
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });

  it('the normalizer refuses to start on a broken mapping directory', () => {
    problemsOf(() => createNormalizer({ ...realDeps(), mappingsDir: INVALID_DIR }));
  });

  it('a base table needs a catch-all rule, and only one base is allowed', () => {
    const base = (source: string) => ({ file: `${source}.yaml`, text: `source: ${source}\nbase: true\nrules:\n  - id: a\n    match: { name: [x] }\n    kind: other\n` });
    const problems = problemsOf(() => parseMappingTables([base('one'), base('two')]));
    assert.ok(problems.some((p) => p.startsWith('one.yaml: rules: the base table needs a last rule without match')));
    assert.ok(problems.some((p) => p.includes('exactly one table must have base: true, found 2')));
  });

  it('key forms are checked: templates balanced, @trace the only @ key, attribute#path; session_fallback known', () => {
    const table = (fields: string, extra = '') => ({
      file: 'keys.yaml',
      text: `source: keys\nbase: true\nfields:\n${fields}\nrules:\n  - id: t\n    match: { name: [x] }\n    kind: tool\n${extra}  - id: o\n    kind: other\n`,
    });
    const problems = problemsOf(() =>
      parseMappingTables([table('  tool: ["mcp__{a__{b}"]\n  session_id: ["@span"]\n  command: ["#full_command"]', '    session_fallback: span\n')]),
    );
    assert.ok(problems.some((p) => p.includes("'mcp__{a__{b}': a template needs balanced {key} parts")), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes("'@span': the only @ key is @trace")), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes("'#full_command': write attribute#path")), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('rules[0].session_fallback: must be one of trace')), problems.join('\n'));
    const ok = parseMappingTables([table('  tool: ["mcp__{p#server}__{p#tool}", tool_name]\n  session_id: [session.id, "@trace"]', '    session_fallback: trace\n')]);
    assert.equal(ok.length, 1);
  });

  it('key forms read: a key inside JSON text, a template, the trace fallback (spans only)', () => {
    const view = new RecordView(span({ attributes: { p: '{"server":"pg","tool":"query","deep":{"x":"y"}}', tool_name: 'mcp_tool' } }));
    assert.equal(view.get('p#server'), 'pg');
    assert.equal(view.get('p#deep.x'), 'y');
    assert.equal(view.get('p#missing'), undefined);
    assert.equal(view.get('mcp__{p#server}__{p#tool}'), 'mcp__pg__query');
    assert.equal(view.get('mcp__{p#server}__{p#nope}'), undefined, 'a template with a missing part is absent');
    assert.equal(view.get('@trace'), 'trace:0af7651916cd43dd8448eb211c80319c');
    assert.equal(new RecordView(logRecord({ traceId: '0af7651916cd43dd8448eb211c80319c' })).get('@trace'), undefined);
    assert.equal(new RecordView(span({ attributes: { p: 'not json' } })).get('p#server'), undefined);
  });

  it("Codex's OTLP eventName (a tracing call site) is not the name: event.name is", () => {
    const view = new RecordView(logRecord({ eventName: 'event codex-rs/otel/src/events/session_telemetry.rs:745', attributes: { 'event.name': 'codex.tool_result' } }));
    assert.equal(view.name, 'codex.tool_result');
    assert.equal(new RecordView(logRecord({ eventName: 'my.event', attributes: { 'event.name': 'other' } })).name, 'my.event');
  });

  it('source tables win over the base table; earlier rules over later ones', () => {
    const mappings = compileMappings(loadMappingTables());
    const ruleOf = (r: DecodedRecord) => {
      const rule = mappings.ruleFor(new RecordView(r));
      return `${rule.source}/${rule.ruleId}`;
    };
    // a Claude Code tool_result also carrying gen_ai.tool.name: the Claude Code table wins
    assert.equal(ruleOf(logRecord({ body: 'claude_code.tool_result', attributes: { 'gen_ai.tool.name': 'x' } })), 'claude_code/tool_result');
    // the short name only counts under Claude Code's scope
    assert.equal(ruleOf(logRecord({ attributes: { 'event.name': 'tool_result' } })), 'otel/other');
    assert.equal(
      ruleOf(logRecord({ scope: { name: 'com.anthropic.claude_code.events', version: '' }, attributes: { 'event.name': 'tool_result' } })),
      'claude_code/tool_result',
    );
    assert.equal(ruleOf(logRecord({ attributes: { 'event.name': 'codex.tool_decision' } })), 'codex/tool_decision');
    assert.equal(ruleOf(logRecord({ body: { hook_event_name: 'PostToolUse' } })), 'hook/post_tool_use');
    assert.equal(ruleOf(span({ name: 'claude_code.tool' })), 'claude_code/tool_span');
    assert.equal(ruleOf(span({ name: 'warden.session.start', attributes: { 'gen_ai.tool.name': 'x' } })), 'otel/session_start');
    assert.equal(ruleOf(span({ name: 'x', attributes: { 'gen_ai.operation.name': 'execute_tool' } })), 'otel/execute_tool');
    assert.equal(ruleOf(span({ name: 'invoke_agent' })), 'otel/other');
    // framework tool spans go to their own tables, each before the base table's execute_tool
    assert.equal(ruleOf(span({ name: 'execute_tool x', scope: { name: 'ai', version: '' }, attributes: { 'gen_ai.operation.name': 'execute_tool' } })), 'vercel_ai/tool_call');
    assert.equal(ruleOf(span({ name: 'x', attributes: { 'openinference.span.kind': 'TOOL' } })), 'openinference/tool_span');
    assert.equal(ruleOf(span({ name: 'x.tool', attributes: { 'traceloop.span.kind': 'tool' } })), 'traceloop/tool_span');
    assert.equal(ruleOf(logRecord({ attributes: { 'event.name': 'gemini_cli.tool_call', decision: 'reject' } })), 'gemini_cli/tool_call_rejected');
  });
});
