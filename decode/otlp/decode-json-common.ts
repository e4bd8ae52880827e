/**
 * OTLP/JSON decoding of the parts traces and logs share: AnyValue
 * (`{"stringValue": …}`, `{"intValue": "42"}`, `{"arrayValue": {"values": […]}}`,
 * `{"kvlistValue": {"values": [{"key": …, "value": …}]}}`, `{"bytesValue": "<base64>"}`, …),
 * KeyValue lists, and the resource/scope envelope of both export requests. Values map to JS
 * exactly as the protobuf decoder maps them, so both encodings give identical records.
 */
import type { AnyValue, Attributes, Scope } from './records.js';
import { type DecodeContext, setAttribute } from './decode-context.js';
import {
  type JsonObject,
  bytesValue,
  doubleValue,
  field,
  int64Value,
  isObject,
  jsonError,
  optArray,
  optObject,
  optString,
} from './json-fields.js';

/** An AnyValue object; `depth` is 1 for an attribute's value. Empty or null → null. */
export function jsonAnyValue(v: unknown, path: string, depth: number, ctx: DecodeContext): AnyValue {
  ctx.checkDepth(depth);
  if (v === undefined || v === null) return null;
  if (!isObject(v)) return jsonError(path, 'an AnyValue object', v);
  let x: unknown;
  if ((x = field(v, 'stringValue', 'string_value')) != null) {
    if (typeof x !== 'string') return jsonError(`${path}.stringValue`, 'a string', x);
    return x;
  }
  if ((x = field(v, 'intValue', 'int_value')) != null) return int64Value(x, `${path}.intValue`);
  if ((x = field(v, 'boolValue', 'bool_value')) != null) {
    if (typeof x !== 'boolean') return jsonError(`${path}.boolValue`, 'a boolean', x);
    return x;
  }
  if ((x = field(v, 'doubleValue', 'double_value')) != null) return doubleValue(x, `${path}.doubleValue`);
  if ((x = field(v, 'arrayValue', 'array_value')) != null) {
    const arrayPath = `${path}.arrayValue`;
    ctx.checkDepth(depth + 1);
    const items = optArray(optObject(x, arrayPath)?.['values'], `${arrayPath}.values`);
    const out: AnyValue[] = new Array<AnyValue>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = jsonAnyValue(items[i], arrayPath, depth + 1, ctx);
    return out;
  }
  if ((x = field(v, 'kvlistValue', 'kvlist_value')) != null) {
    const kvPath = `${path}.kvlistValue`;
    ctx.checkDepth(depth + 1);
    const obj: Attributes = {};
    jsonKeyValues(optObject(x, kvPath)?.['values'], `${kvPath}.values`, obj, depth + 1, ctx);
    return obj;
  }
  if ((x = field(v, 'bytesValue', 'bytes_value')) != null) return bytesValue(x, `${path}.bytesValue`);
  return null;
}

/** A JSON array of KeyValue objects added to `target`; values nest at `depth`. */
export function jsonKeyValues(v: unknown, path: string, target: Attributes, depth: number, ctx: DecodeContext): void {
  const list = optArray(v, path);
  ctx.checkAttributeCount(list.length);
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    if (!isObject(kv)) return jsonError(path, 'a list of KeyValue objects', kv);
    const key = optString(kv['key'], `${path}.key`);
    setAttribute(target, key, jsonAnyValue(kv['value'], path, depth, ctx));
  }
}

export function jsonAttributes(obj: JsonObject, path: string, ctx: DecodeContext): Attributes {
  const attributes: Attributes = {};
  jsonKeyValues(obj['attributes'], `${path}.attributes`, attributes, 1, ctx);
  return attributes;
}

export type JsonRecordDecoder<T> = (obj: JsonObject, path: string, resource: Attributes, scope: Scope) => T;

/** Field names of one signal's envelope, camelCase and snake_case. */
export interface JsonEnvelopeNames {
  resourceGroups: [string, string];
  scopeGroups: [string, string];
  records: [string, string];
}

/** Walks request → resource groups → scope groups → records and decodes each record. */
export function jsonEnvelope<T>(
  root: unknown,
  names: JsonEnvelopeNames,
  ctx: DecodeContext,
  decodeRecord: JsonRecordDecoder<T>,
): T[] {
  if (!isObject(root)) return jsonError('request', 'an object', root);
  const out: T[] = [];
  const groups = optArray(field(root, ...names.resourceGroups), names.resourceGroups[0]);
  for (let g = 0; g < groups.length; g++) {
    const gPath = `${names.resourceGroups[0]}[${g}]`;
    const group = optObject(groups[g], gPath) ?? {};
    const resourceObj = optObject(group['resource'], `${gPath}.resource`);
    const resource = resourceObj === undefined ? {} : jsonAttributes(resourceObj, `${gPath}.resource`, ctx);
    const scopeGroups = optArray(field(group, ...names.scopeGroups), `${gPath}.${names.scopeGroups[0]}`);
    for (let s = 0; s < scopeGroups.length; s++) {
      const sPath = `${gPath}.${names.scopeGroups[0]}[${s}]`;
      const scopeGroup = optObject(scopeGroups[s], sPath) ?? {};
      const scope = jsonScope(scopeGroup['scope'], `${sPath}.scope`, ctx);
      const records = optArray(field(scopeGroup, ...names.records), `${sPath}.${names.records[0]}`);
      for (let i = 0; i < records.length; i++) {
        const rPath = `${sPath}.${names.records[0]}[${i}]`;
        ctx.countRecord();
        const record = optObject(records[i], rPath) ?? {};
        out.push(decodeRecord(record, rPath, resource, scope));
      }
    }
  }
  return out;
}

function jsonScope(v: unknown, path: string, ctx: DecodeContext): Scope {
  const obj = optObject(v, path);
  if (obj === undefined) return { name: '', version: '' };
  ctx.checkAttributeCount(optArray(obj['attributes'], `${path}.attributes`).length);
  return { name: optString(obj['name'], `${path}.name`), version: optString(obj['version'], `${path}.version`) };
}
