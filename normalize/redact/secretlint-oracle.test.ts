/**
 * The maintained rule set keeps Warden honest. secretlint's recommended preset (async, too slow
 * for the hot path) runs over a corpus of planted fake secrets; every range it reports must
 * overlap a range Warden's synchronous scanner finds. When the preset learns a new token format
 * that Warden does not know, this test fails and names the rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import { createScanner } from './redactor.js';
import { FAKE as S, gcpServiceAccountJson, pem } from './testdata/fake-secrets.js';

/**
 * One planted secret per line. Provider tokens sit in a neutral context (`echo`) so that only
 * Warden's token rules, not its name-based ones, can match them.
 */
const CORPUS = [
  `echo ${S.awsAccessKey}`,
  `aws_secret_access_key = ${S.awsSecretKey}`,
  `"SecretAccessKey": "${S.awsSecretKey}"`,
  `echo ${S.githubPat}`,
  `git remote add origin https://${S.githubFineGrained}:x-oauth-basic@github.com/org/repo.git`,
  `echo ${S.githubApp}`,
  `echo ${S.gitlabPat}`,
  `echo ${S.slackBot}`,
  `curl -X POST https://hooks.slack.com/services/${S.slackWebhookPath}`,
  `//registry.npmjs.org/:_authToken=${S.npmToken}`,
  `echo ${S.openaiKey}`,
  `echo ${S.anthropicKey}`,
  `echo ${S.sendgridKey}`,
  `echo ${S.shopifyToken}`,
  `echo ${S.linearKey}`,
  `echo ${S.vaultToken}`,
  `echo ${S.huggingfaceToken}`,
  `echo ${S.groqKey}`,
  `echo ${S.notionToken}`,
  `echo ${S.dockerPat} | docker login -u bob --password-stdin`,
  `echo ${S.databricksToken}`,
  `echo ${S.figmaToken}`,
  `echo ${S.grafanaCloud}`,
  `echo ${S.grafanaServiceAccount}`,
  `echo ${S.vercelToken}`,
  `echo ${S.onePassword}`,
  `psql postgres://app:${S.password}@db.example.com:5432/app`,
  `mysql://root:${S.password}@db.example.com/app`,
  `mongosh mongodb+srv://warden:${S.password}@cluster0.example.net/db`,
  `curl https://warden:${S.password}@example.com/api`,
  pem(),
  pem('OPENSSH PRIVATE KEY'),
  `{"key": "${pem('PRIVATE KEY', '\\n')}"}`,
].join('\n');

/** Rules the corpus is built to trigger: if one stops firing, the oracle has gone blind there. */
const EXPECTED_RULES = [
  'aws', 'github', 'gitlab', 'slack', 'npm', 'openai', 'anthropic', 'sendgrid', 'shopify', 'linear',
  'hashicorp-vault', 'huggingface', 'groq', 'notion', 'docker', 'databricks', 'figma', 'grafana',
  'vercel', '1password', 'database-connection-string', 'basicauth', 'privatekey',
].map((r) => `@secretlint/secretlint-rule-${r}`);

async function secretlintRanges(content: string, ext: string): Promise<Array<{ ruleId: string; range: readonly [number, number] }>> {
  const result = await lintSource({
    source: { content, filePath: `/virtual/corpus${ext}`, ext, contentType: 'text' },
    options: {
      config: {
        rules: [{
          id: recommended.meta.id,
          rule: recommended,
          // The AWS access key id rule is opt-in upstream; Warden always redacts key ids.
          rules: [{ id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } }],
        }],
      },
      noPhysicFilePath: true,
    },
  });
  return result.messages.map((m) => ({ ruleId: m.ruleId, range: m.range }));
}

test('every secret secretlint finds in the corpus, Warden finds too', async () => {
  const found = await secretlintRanges(CORPUS, '.txt');
  const fired = new Set(found.map((m) => m.ruleId));
  for (const rule of EXPECTED_RULES) assert.ok(fired.has(rule), `secretlint no longer fires ${rule} on the corpus`);

  const warden = createScanner().find(CORPUS);
  const missed = found.filter(({ range: [s, e] }) => !warden.some((f) => f.start < e && s < f.end));
  assert.deepEqual(
    missed.map((m) => `${m.ruleId}: ${CORPUS.slice(m.range[0], m.range[1]).slice(0, 60)}`),
    [],
    'secrets found by secretlint but not by Warden',
  );
});

test('a GCP service-account key file: secretlint flags it, Warden redacts its key', async () => {
  const json = gcpServiceAccountJson();
  const found = await secretlintRanges(json, '.json');
  assert.ok(found.some((m) => m.ruleId === '@secretlint/secretlint-rule-gcp'));
  const warden = createScanner().find(json);
  const pemStart = json.indexOf('-----BEGIN');
  assert.ok(warden.some((f) => f.start <= pemStart && f.end > json.indexOf('-----END')));
});
