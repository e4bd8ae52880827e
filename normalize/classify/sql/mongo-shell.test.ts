/**
 * The MongoDB shell reader: which calls become which statements, how collections are named,
 * and when a filter counts as "every document".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMongoShell } from './mongo-shell.js';

const read = (code: string): string[] =>
  parseMongoShell(code).map((s) => `${s.verb}${s.object ? ` ${s.object}` : ''} [${s.tables.join(',')}] where=${s.has_where}`);

test('database and collection drops', () => {
  assert.deepEqual(read('db.dropDatabase()'), ['drop database [] where=false']);
  assert.deepEqual(read("db.getSiblingDB('prod').dropDatabase()"), ['drop database [prod] where=false']);
  assert.deepEqual(read('db.orders.drop()'), ['drop collection [orders] where=false']);
  assert.deepEqual(read('db.getCollection("audit-log").drop()'), ['drop collection [audit-log] where=false']);
  assert.deepEqual(read("db['a-b'].drop()"), ['drop collection [a-b] where=false']);
  assert.deepEqual(read("db.getSiblingDB('shop').carts.drop()"), ['drop collection [shop.carts] where=false']);
});

test('an empty filter matches every document; a real one does not', () => {
  assert.deepEqual(read('db.users.deleteMany({})'), ['delete [users] where=false']);
  assert.deepEqual(read('db.users.deleteMany( { } )'), ['delete [users] where=false']);
  assert.deepEqual(read('db.users.remove({})'), ['delete [users] where=false']);
  assert.deepEqual(read('db.users.deleteMany({ status: "old", tags: { $in: ["a,b"] } })'), ['delete [users] where=true']);
  assert.deepEqual(read('db.users.updateMany({}, { $set: { a: 1 } })'), ['update [users] where=false']);
  assert.deepEqual(read('db.users.updateMany({ a: 1 }, { $set: { a: 2 } })'), ['update [users] where=true']);
  assert.deepEqual(read('db.users.deleteOne({})'), ['delete [users] where=true']);
});

test('reads, writes and several calls in order; text that names no call yields nothing', () => {
  assert.deepEqual(read('db.users.find({}).limit(5); db.users.insertOne({ a: 1 })'), ['select [users] where=true', 'insert [users] where=true']);
  assert.deepEqual(read('db.getCollectionNames()'), ['select [] where=true']);
  assert.deepEqual(read('show dbs'), []);
  assert.deepEqual(read('mydb.users.drop()'), []);
});
