import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadClientSettings } from './client-settings.js';
import { loadConfig } from './config.js';

test('operator commands find Warden where the service listens, or at WARDEN_URL', () => {
  assert.equal(loadClientSettings({}).url, `http://127.0.0.1:${loadConfig({}).http.port}`);
  assert.equal(loadClientSettings({ WARDEN_HTTP_PORT: '9999' }).url, 'http://127.0.0.1:9999');
  assert.equal(loadClientSettings({ WARDEN_URL: ' http://w:1 ', WARDEN_HTTP_PORT: '9999' }).url, 'http://w:1');
});

test('their token file is the one the service writes, their token WARDEN_TOKEN when set', () => {
  for (const env of [{}, { WARDEN_DATA_DIR: 'elsewhere' }, { WARDEN_TOKENS_FILE: 't.yaml' }]) {
    assert.equal(loadClientSettings(env).tokensFile, loadConfig(env).tokensFile, JSON.stringify(env));
  }
  assert.equal(loadClientSettings({ WARDEN_TOKEN: 'wdn_x' }).token, 'wdn_x');
  assert.equal(loadClientSettings({ WARDEN_TOKEN: '' }).token, undefined);
  assert.equal(loadClientSettings({ WARDEN_DATA_DIR: 'd' }).tokensFile, path.resolve('d', 'tokens.yaml'));
});
