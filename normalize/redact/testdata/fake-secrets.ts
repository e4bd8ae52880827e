/**
 * Fake, shape-valid secrets for tests. None of them grants access to anything: AWS values are
 * AWS's documented examples or contain FAKE/EXAMPLE, the rest are generated from a fixed seed.
 * They are assembled at runtime from pieces so the repository never holds a scanner-visible
 * secret literal.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const LETTERS = ALNUM.slice(0, 52);

/** Deterministic pseudo-random characters (a linear congruential generator, fixed seed). */
export function fakeChars(length: number, seed: number, alphabet = ALNUM): string {
  let x = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}

const b64url = (s: string): string => Buffer.from(s).toString('base64url');

/** A 1Password service-account token is base64 JSON; padded so its base64 ends in `fQ==`. */
function onePasswordBody(): string {
  const body = (pad: string): string => JSON.stringify({ email: 'fake@example.invalid', secretKey: fakeChars(60, 29), pad });
  let pad = '';
  while (body(pad).length % 3 !== 1) pad += 'x';
  return Buffer.from(body(pad)).toString('base64');
}

export const FAKE = {
  awsAccessKeyExample: 'AKIA' + 'IOSFODNN7EXAMPLE',
  awsAccessKey: 'AKIA' + 'WARDENTESTFAKE01',
  awsSecretKeyExample: 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY',
  awsSecretKey: 'WardenFakeSecretKey/' + fakeChars(20, 1),
  gcpApiKey: 'AIza' + 'SyWardenFake' + fakeChars(23, 2, `${ALNUM}_-`),
  githubPat: 'ghp_' + 'WardenFake' + fakeChars(26, 3),
  githubFineGrained: 'github_pat_' + '11WARDENFAKE0' + fakeChars(69, 4, `${ALNUM}_`),
  githubApp: 'ghs_' + fakeChars(36, 5),
  gitlabPat: 'glpat-' + 'WardenFake' + fakeChars(10, 6),
  slackBot: 'xoxb-' + '1234567890' + '-' + '1234567890123' + '-' + 'WardenFake' + fakeChars(14, 7),
  slackWebhookPath: 'T00000000/B00000000/' + 'X'.repeat(24),
  npmToken: 'npm_' + 'WardenFake' + fakeChars(26, 8),
  openaiKey: 'sk-' + 'proj-' + fakeChars(74, 9, `${ALNUM}_-`) + 'T3Blbk' + 'FJ' + fakeChars(74, 10, `${ALNUM}_-`),
  anthropicKey: 'sk-' + 'ant-api03-' + fakeChars(93, 11, `${ALNUM}_-`) + 'AA',
  stripeKey: 'sk_' + 'test_' + 'WardenFake' + fakeChars(20, 12),
  sendgridKey: 'SG.' + fakeChars(22, 13) + '.' + fakeChars(43, 14),
  shopifyToken: 'shpat_' + fakeChars(32, 15, HEX),
  linearKey: 'lin_' + 'api_' + fakeChars(40, 16),
  vaultToken: 'hvs.' + fakeChars(95, 17),
  huggingfaceToken: 'hf_' + fakeChars(34, 18, LETTERS),
  groqKey: 'gsk_' + fakeChars(52, 19),
  notionToken: 'ntn_' + fakeChars(11, 20, '0123456789') + fakeChars(35, 21),
  dockerPat: 'dckr_' + 'pat_' + fakeChars(27, 22),
  databricksToken: 'dapi' + fakeChars(32, 23, HEX),
  figmaToken: 'figd_' + fakeChars(40, 24),
  grafanaCloud: 'glc_' + fakeChars(40, 25),
  grafanaServiceAccount: 'glsa_' + fakeChars(32, 26) + '_' + fakeChars(8, 27, HEX),
  vercelToken: 'vcp_' + fakeChars(24, 28),
  onePassword: 'ops_' + onePasswordBody(),
  azureAccountKey: fakeChars(86, 30, B64) + '==',
  jwt: [
    b64url('{"alg":"HS256","typ":"JWT"}'),
    b64url('{"sub":"fake-user","name":"Warden Test"}'),
    fakeChars(43, 31, `${ALNUM}_-`),
  ].join('.'),
  bearer: 'WardenFake' + fakeChars(30, 32),
  password: 'Fake' + 'Passw0rd!',
  /** A PEM block with 64-column base64 lines (starts with MI like real DER keys). */
  pemBody: ['MII' + fakeChars(61, 33, B64), fakeChars(64, 34, B64), fakeChars(64, 35, B64), fakeChars(20, 36, B64) + '=='],
} as const;

export function pem(label = 'RSA PRIVATE KEY', newline = '\n'): string {
  return ['-----BEGIN ' + label + '-----', ...FAKE.pemBody, '-----END ' + label + '-----'].join(newline);
}

/** A GCP service-account key file (JSON, the key's newlines escaped). */
export function gcpServiceAccountJson(): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'warden-fake',
    private_key_id: fakeChars(40, 37, HEX),
    private_key: pem('PRIVATE KEY') + '\n',
    client_email: 'fake@warden-fake.iam.gserviceaccount.com',
  }, null, 2);
}
