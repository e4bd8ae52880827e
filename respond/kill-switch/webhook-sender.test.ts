/**
 * The webhook signature Warden computes with node's HMAC is the one the `standardwebhooks`
 * library computes and verifies, for secrets of every accepted length and payloads with
 * multi-byte characters; a different secret, id, time or body does not verify.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { WebhookEndpoint } from '../../config/webhook-endpoints.js';
import { signature, signedHeaders } from './webhook-sender.js';

const endpoint = (secret: string): WebhookEndpoint => ({ name: 'e', url: 'http://127.0.0.1:1/', secret, events: ['session.revoked'] });

const secretOf = (bytes: number): string => `whsec_${randomBytes(bytes).toString('base64')}`;
const payloads = ['{}', '{"type":"session.revoked","reason":"rm -rf / — naïve ✓ 🚨"}', JSON.stringify({ big: 'x'.repeat(70_000) })];

test('the signature equals the standardwebhooks library\'s and verifies with it', () => {
  for (const bytes of [24, 32, 48, 64]) {
    const secret = secretOf(bytes);
    for (const payload of payloads) {
      const now = new Date(1_764_000_000_000 + bytes * 1_000 + payload.length);
      const ours = signature(secret, 'msg_1', now, payload);
      assert.equal(ours, new Webhook(secret).sign('msg_1', now, payload));
      const headers = signedHeaders(endpoint(secret), { id: 'msg_1', payload }, now);
      // verify() checks the timestamp against the current time: sign at now for that part.
      const fresh = new Date();
      const live = signedHeaders(endpoint(secret), { id: 'msg_1', payload }, fresh);
      assert.doesNotThrow(() => new Webhook(secret).verify(payload, live));
      assert.equal(headers['webhook-signature'], ours);
    }
  }
});

test('another secret, id, time or body gives another signature', () => {
  const secret = secretOf(32);
  const now = new Date(1_764_000_000_000);
  const base = signature(secret, 'msg_1', now, '{}');
  assert.notEqual(signature(secretOf(32), 'msg_1', now, '{}'), base);
  assert.notEqual(signature(secret, 'msg_2', now, '{}'), base);
  assert.notEqual(signature(secret, 'msg_1', new Date(1_764_000_001_000), '{}'), base);
  assert.notEqual(signature(secret, 'msg_1', now, '{ }'), base);
  const live = signedHeaders(endpoint(secret), { id: 'msg_1', payload: '{}' }, new Date());
  assert.throws(() => new Webhook(secretOf(32)).verify('{}', live));
});
