/**
 * The planted-secret corpus: kinds of secret an agent may show, each as a function of a seed that
 * returns a fresh fake value and the text an agent would send it in (so every (kind × field)
 * combination carries its own value and a leak names its combination). Values are fake and
 * shape-valid, built at runtime from a fixed-seed generator; none grants access to anything.
 * `forms` are what else must never appear: the value's base64 where the text shows it encoded,
 * a Basic credential's encoded form.
 */
import { fakeChars } from '../../normalize/redact/testdata/fake-secrets.js';

export interface Planted {
  /** The secret itself: it must be found nowhere. */
  value: string;
  /** The text sent in a field (the secret in the context an agent shows it in). */
  text: string;
  /** Further spellings that must be found nowhere (base64 forms). */
  forms?: string[];
}

export interface SecretKind {
  kind: string;
  plant(seed: number): Planted;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const URLSAFE = `${ALNUM}_-`;

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const b64url = (text: string): string => Buffer.from(text).toString('base64url');
/** A password-like value: letters, digits, one punctuation mark (no quotes, no backslash). */
const password = (seed: number): string => `${fakeChars(6, seed, 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz')}-${fakeChars(5, seed + 7, ALNUM)}#${fakeChars(2, seed + 9, '23456789')}`;
const token = (prefix: string, length: number, seed: number, alphabet = ALNUM): string => prefix + fakeChars(length, seed, alphabet);
const plain = (value: string, text: string, forms?: string[]): Planted => (forms ? { value, text, forms } : { value, text });

function pemBlock(seed: number): { block: string; line: string } {
  const line = fakeChars(64, seed + 1, B64);
  const lines = ['MII' + fakeChars(61, seed, B64), line, fakeChars(64, seed + 2, B64), fakeChars(24, seed + 3, B64) + '=='];
  return { block: ['-----BEGIN RSA PRIVATE KEY-----', ...lines, '-----END RSA PRIVATE KEY-----'].join('\n'), line };
}

function jwt(seed: number): string {
  const claims = b64url(JSON.stringify({ sub: `fake-${seed}`, name: 'Planted Test', iat: 1767225600 }));
  return [b64url('{"alg":"HS256","typ":"JWT"}'), claims, fakeChars(43, seed, URLSAFE)].join('.');
}

export const SECRET_KINDS: readonly SecretKind[] = [
  // Provider tokens: recognisable by their own shape.
  { kind: 'aws access key id', plant: (s) => { const v = token('AKIA', 16, s, UPPER_DIGITS); return plain(v, `export AWS_ACCESS_KEY_ID=${v}`); } },
  { kind: 'aws secret access key', plant: (s) => { const v = token('', 40, s, B64); return plain(v, `aws_secret_access_key = ${v}`); } },
  { kind: 'aws session token', plant: (s) => { const v = token('FwoGZXIvYXdzE', 140, s, B64); return plain(v, `AWS_SESSION_TOKEN=${v}`); } },
  { kind: 'gcp api key', plant: (s) => { const v = token('AIza', 35, s, URLSAFE); return plain(v, `curl "https://maps.example.com/api?key=${v}"`); } },
  { kind: 'gcp oauth client secret', plant: (s) => { const v = token('GOCSPX-', 28, s, URLSAFE); return plain(v, `echo ${v}`); } },
  { kind: 'azure storage key', plant: (s) => { const v = token('', 86, s, B64) + '=='; return plain(v, `DefaultEndpointsProtocol=https;AccountName=planted;AccountKey=${v};EndpointSuffix=core.windows.net`); } },
  { kind: 'azure sas signature', plant: (s) => { const v = token('', 40, s); return plain(v, `az storage blob download --sas-token "sv=2022-11-02&ss=b&sig=${v}"`); } },
  { kind: 'github classic token', plant: (s) => { const v = token('ghp_', 36, s); return plain(v, v); } },
  { kind: 'github fine-grained token', plant: (s) => { const v = token('github_pat_11', 80, s, `${ALNUM}_`); return plain(v, `GH_TOKEN=${v} gh pr list`); } },
  { kind: 'github app token', plant: (s) => { const v = token('ghs_', 36, s); return plain(v, `git push https://x-access-token:${v}@github.com/acme/app.git`); } },
  { kind: 'gitlab token', plant: (s) => { const v = token('glpat-', 20, s, URLSAFE); return plain(v, `glab auth login --token ${v}`); } },
  { kind: 'slack bot token', plant: (s) => { const v = `xoxb-${fakeChars(11, s, '0123456789')}-${fakeChars(13, s + 1, '0123456789')}-${fakeChars(24, s + 2)}`; return plain(v, `SLACK_BOT_TOKEN=${v}`); } },
  { kind: 'slack webhook', plant: (s) => { const v = `T${fakeChars(10, s, UPPER_DIGITS)}/B${fakeChars(10, s + 1, UPPER_DIGITS)}/${fakeChars(24, s + 2)}`; return plain(v, `curl -X POST https://hooks.slack.com/services/${v} -d '{"text":"done"}'`); } },
  { kind: 'npm token', plant: (s) => { const v = token('npm_', 36, s); return plain(v, `npm config set //registry.npmjs.org/:_authToken=${v}`); } },
  { kind: 'openai key', plant: (s) => { const v = token('sk-proj-', 120, s, URLSAFE); return plain(v, `OPENAI_API_KEY=${v} python agent.py`); } },
  { kind: 'anthropic key', plant: (s) => { const v = token('sk-ant-api03-', 93, s, URLSAFE) + 'AA'; return plain(v, v); } },
  { kind: 'stripe secret key', plant: (s) => { const v = token('sk_' + 'live_', 24, s); return plain(v, `stripe customers list --api-key ${v}`); } },
  { kind: 'stripe webhook secret', plant: (s) => { const v = token('whsec_', 32, s); return plain(v, `STRIPE_WEBHOOK_SECRET=${v}`); } },
  { kind: 'jwt', plant: (s) => { const v = jwt(s); return plain(v, `curl -H "Authorization: Bearer ${v}" https://api.example.com/me`); } },
  { kind: 'sendgrid key', plant: (s) => { const v = `SG.${fakeChars(22, s, URLSAFE)}.${fakeChars(43, s + 1, URLSAFE)}`; return plain(v, v); } },
  { kind: 'shopify token', plant: (s) => { const v = token('shpat_', 32, s, HEX); return plain(v, v); } },
  { kind: 'vault token', plant: (s) => { const v = token('hvs.', 90, s, URLSAFE); return plain(v, `VAULT_TOKEN=${v} vault kv get secret/app`); } },
  { kind: 'huggingface token', plant: (s) => { const v = token('hf_', 34, s); return plain(v, `huggingface-cli login --token ${v}`); } },
  { kind: 'groq key', plant: (s) => { const v = token('gsk_', 52, s); return plain(v, v); } },
  { kind: 'docker hub token', plant: (s) => { const v = token('dckr_pat_', 27, s, URLSAFE); return plain(v, `echo ${v}`); } },
  { kind: 'databricks token', plant: (s) => { const v = token('dapi', 32, s, HEX); return plain(v, `DATABRICKS_TOKEN=${v}`); } },
  { kind: 'digitalocean token', plant: (s) => { const v = token('dop_v1_', 64, s, HEX); return plain(v, `doctl auth init -t ${v}`); } },
  { kind: 'pypi token', plant: (s) => { const v = token('pypi-AgEIcHlwaS5vcmc', 60, s, URLSAFE); return plain(v, `twine upload -u __token__ -p ${v} dist/*`); } },
  { kind: 'linear key', plant: (s) => { const v = token('lin_api_', 40, s); return plain(v, v); } },
  // Structural: where the secret sits.
  { kind: 'private key', plant: (s) => { const { block, line } = pemBlock(s); return plain(line, `cat > ~/.ssh/id_rsa <<'EOF'\n${block}\nEOF`); } },
  { kind: 'url password', plant: (s) => { const v = password(s); return plain(v, `psql postgres://app:${v}@db.internal:5432/orders`); } },
  { kind: 'bearer token', plant: (s) => { const v = token('Pl4nted', 33, s); return plain(v, `curl -H 'Authorization: Bearer ${v}' https://api.example.com/v1/items`); } },
  { kind: 'basic auth header', plant: (s) => { const v = password(s); const cred = b64(`ops:${v}`); return plain(v, `curl -H "Authorization: Basic ${cred}" https://ci.example.com`, [cred]); } },
  { kind: 'curl -u', plant: (s) => { const v = password(s); return plain(v, `curl -u admin:${v} https://registry.example.com/v2/_catalog`); } },
  // Name-based.
  { kind: 'password env', plant: (s) => { const v = password(s); return plain(v, `PGPASSWORD=${v} psql -h db.internal -U app -c 'select 1'`); } },
  { kind: 'client secret json', plant: (s) => { const v = token('', 32, s); return plain(v, `{"client_id": "planted-app", "client_secret": "${v}"}`); } },
  { kind: 'api key header', plant: (s) => { const v = token('k3y-', 24, s); return plain(v, `curl -H "X-Api-Key: ${v}" https://api.example.com/v1`); } },
  // Command shapes.
  { kind: 'mysql -p', plant: (s) => { const v = password(s); return plain(v, `mysql -u root -p'${v}' -h db.internal orders`); } },
  { kind: 'docker login -p', plant: (s) => { const v = password(s); return plain(v, `docker login -u ci -p ${v} registry.example.com`); } },
  { kind: 'sshpass -p', plant: (s) => { const v = password(s); return plain(v, `sshpass -p '${v}' ssh deploy@web-1`); } },
  { kind: 'redis-cli -a', plant: (s) => { const v = password(s); return plain(v, `redis-cli -h cache -a ${v} FLUSHALL`); } },
  { kind: 'aws configure set secret', plant: (s) => { const v = password(s); return plain(v, `aws configure set aws_secret_access_key ${v}`); } },
  { kind: 'sql alter user password', plant: (s) => { const v = password(s); return plain(v, `psql -c "ALTER USER app WITH PASSWORD '${v}'"`); } },
  { kind: 'sql alter user identified by', plant: (s) => { const v = password(s); return plain(v, `mysql -uroot -e "ALTER USER 'app'@'%' IDENTIFIED BY '${v}'"`); } },
  { kind: 'sql create user identified by', plant: (s) => { const v = password(s); return plain(v, `CREATE USER 'report'@'localhost' IDENTIFIED BY '${v}';`); } },
  { kind: 'mysql set password', plant: (s) => { const v = password(s); return plain(v, `mysql -e "SET PASSWORD FOR 'app'@'%' = '${v}'"`); } },
  { kind: 'az login -p', plant: (s) => { const v = password(s); return plain(v, `az login -u ops@example.com -p ${v}`); } },
  { kind: 'az login --password', plant: (s) => { const v = password(s); return plain(v, `az login --service-principal -u planted-app --password ${v} --tenant example`); } },
  { kind: 'echo into sudo -S', plant: (s) => { const v = password(s); return plain(v, `echo ${v} | sudo -S systemctl restart nginx`); } },
  { kind: 'htpasswd -b', plant: (s) => { const v = password(s); return plain(v, `htpasswd -b /etc/nginx/.htpasswd admin ${v}`); } },
  { kind: 'vault login', plant: (s) => { const v = token('s.', 24, s); return plain(v, `vault login ${v}`); } },
  { kind: 'sqlcmd -P', plant: (s) => { const v = password(s); return plain(v, `sqlcmd -S db.internal -U sa -P ${v} -Q "select 1"`); } },
  { kind: 'ldapsearch -w', plant: (s) => { const v = password(s); return plain(v, `ldapsearch -x -D cn=admin,dc=example,dc=com -w ${v} -b dc=example,dc=com`); } },
  { kind: 'smbclient -U user%password', plant: (s) => { const v = password(s); return plain(v, `smbclient //files/share -U admin%${v}`); } },
  { kind: 'rabbitmqctl add_user', plant: (s) => { const v = password(s); return plain(v, `rabbitmqctl add_user planted ${v}`); } },
  // Base64 forms.
  { kind: 'base64 github token', plant: (s) => { const v = token('ghp_', 36, s); return plain(v, `echo ${b64(v)} | base64 -d > ~/.gh-token`, [b64(v)]); } },
  { kind: 'base64 env file', plant: (s) => { const v = password(s); const env = b64(`DB_HOST=db\nDB_PASSWORD=${v}\n`); return plain(v, `echo ${env} | base64 -d > .env`, [env]); } },
  { kind: 'base64 private key', plant: (s) => { const { block, line } = pemBlock(s); const encoded = b64(block); return plain(line, `echo ${encoded} > key.b64`, [encoded]); } },
  { kind: 'base64url openai key', plant: (s) => { const v = token('sk-proj-', 100, s, URLSAFE); return plain(v, `echo ${b64url(v)}`, [b64url(v)]); } },
];
