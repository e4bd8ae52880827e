/**
 * Lenient readers for attribute values, as data: input → expected output.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnyValue } from './records.js';
import { argvToCommand, asBoolean, asInteger, asString, asStringList, canonicalJson } from './values.js';

describe('values', () => {
  const lists: Array<[AnyValue | undefined, string[]]> = [
    [['a', 'b'], ['a', 'b']],
    ['["a","b"]', ['a', 'b']],
    ['a, b ,,c', ['a', 'b', 'c']],
    ['single', ['single']],
    ['', []],
    [undefined, []],
    [null, []],
    [['x', '', 3], ['x', '3']],
    ['[not json', ['[not json']],
  ];
  for (const [input, want] of lists) it(`asStringList(${JSON.stringify(input)})`, () => assert.deepEqual(asStringList(input), want));

  const bools: Array<[AnyValue | undefined, boolean | undefined]> = [
    [true, true], ['false', false], ['TRUE', true], [1, true], [0, false], ['yes', undefined], [undefined, undefined],
  ];
  for (const [input, want] of bools) it(`asBoolean(${JSON.stringify(input)})`, () => assert.equal(asBoolean(input), want));

  const ints: Array<[AnyValue | undefined, number | null]> = [
    [0, 0], ['137', 137], [' -1 ', -1], [1.5, null], ['1e3', null], [undefined, null],
    // Exit codes past Int32 (stored as Int64), and numbers that are not exact integers.
    [4294967297, 4294967297], ['-2147483649', -2147483649], ['9007199254740991', 9007199254740991],
    [1e300, null], [2 ** 53, null], ['9007199254740993', null], ['9223372036854775807', null],
  ];
  for (const [input, want] of ints) it(`asInteger(${JSON.stringify(input)})`, () => assert.equal(asInteger(input), want));

  it('asString', () => {
    assert.equal(asString({ a: [1, new Uint8Array([255])] }), '{"a":[1,"/w=="]}');
    assert.equal(asString(false), 'false');
    assert.equal(asString(null), '');
  });

  it('argvToCommand quotes what the shell would split', () => {
    assert.equal(argvToCommand(['bash', '-lc', "echo 'hi' && rm -rf build"]), `bash -lc 'echo '\\''hi'\\'' && rm -rf build'`);
    assert.equal(argvToCommand(['ls', '-la', '/srv/x']), 'ls -la /srv/x');
  });

  it('canonicalJson sorts keys at every level', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});
