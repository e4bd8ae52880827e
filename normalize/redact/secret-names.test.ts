/** Name classification: the last word of a name decides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifySecretName, isPlaceholderValue, nameWords } from './secret-names.js';

test('splits names into words', () => {
  assert.deepEqual(nameWords('AWS_SECRET_ACCESS_KEY'), ['aws', 'secret', 'access', 'key']);
  assert.deepEqual(nameWords('clientSecret'), ['client', 'secret']);
  assert.deepEqual(nameWords('X-Api-Key'), ['x', 'api', 'key']);
  assert.deepEqual(nameWords('APIKey'), ['api', 'key']);
  assert.deepEqual(nameWords('db.password'), ['db', 'password']);
});

test('classes', () => {
  const table: Array<[string, string | undefined]> = [
    ['PASSWORD', 'password'], ['PGPASSWORD', 'password'], ['db_passwd', 'password'], ['DB_PASS', 'password'],
    ['storepass', 'password'], ['passphrase', 'password'], ['DB_PWD', 'password'],
    ['GITHUB_TOKEN', 'secret'], ['_authToken', 'secret'], ['client_secret', 'secret'], ['api_key', 'secret'],
    ['apiKey', 'secret'], ['AWS_SECRET_ACCESS_KEY', 'secret'], ['AccountKey', 'secret'], ['Authorization', 'secret'],
    ['credentials', 'secret'], ['x-api-key', 'secret'], ['_auth', 'secret'],
    ['key', 'weak'], ['signature', 'weak'], ['max_tokens', 'weak'], ['cookie', 'weak'],
    ['PASSWORD_FILE', undefined], ['secretName', undefined], ['token_type', undefined], ['secretKeyRef', undefined],
    ['author', undefined], ['auth_method', undefined], ['PWD', undefined], ['OLDPWD', undefined],
    ['AWS_ACCESS_KEY_ID', undefined], ['keyboard', undefined], ['monkey', undefined], ['bypass', undefined],
    ['session.id', undefined], ['command', undefined], ['', undefined],
  ];
  for (const [name, cls] of table) assert.equal(classifySecretName(name), cls, name);
});

test('placeholders and references are not secrets', () => {
  for (const v of ['', '  ', '$TOKEN', '${TOKEN}', '$(cat /run/secrets/t)', '%TOKEN%', '{{ .Values.pw }}',
    '${{ secrets.X }}', '<your-token>', '***', 'xxxx', '...', 'null', 'true', '/run/secrets/db', './pw.txt', '~/.pgpass']) {
    assert.ok(isPlaceholderValue(v), JSON.stringify(v));
  }
  for (const v of ['hunter2', 'Fake' + 'Passw0rd!', 'abc123']) assert.equal(isPlaceholderValue(v), false, v);
});
