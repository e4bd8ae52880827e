import assert from 'node:assert/strict';
import { it } from 'node:test';
import { contentTypeOf, encodingOf } from './content-type.js';

it('maps encodings to content types and back', () => {
  for (const encoding of ['otlp_proto', 'otlp_json'] as const) assert.equal(encodingOf(contentTypeOf(encoding)), encoding);
});

it('reads content types loosely (case, parameters, protobuf aliases) and rejects the rest', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ['Application/JSON; charset=utf-8', 'otlp_json'],
    ['application/protobuf', 'otlp_proto'],
    ['application/x-protobuf', 'otlp_proto'],
    ['text/plain', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [header, expected] of cases) assert.equal(encodingOf(header), expected, String(header));
});
