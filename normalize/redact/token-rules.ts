/**
 * Provider tokens: secrets recognisable by their own shape (a fixed prefix, a length, a
 * checksum-bearing suffix). Knowledge only, as data: one entry per kind, with the literal
 * triggers that gate it. These win over structural and name-based findings on overlap, so a
 * GitHub token inside a URL or an env assignment is reported as `github_token`.
 */
import { type RegexRule, PRIORITY_TOKEN } from './detector.js';

const AWS_KEY_PREFIXES = ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AROA', 'AIPA', 'ANPA', 'ANVA', 'APKA'];

const RULES: RegexRule[] = [
  {
    kind: 'aws_access_key',
    pattern: new RegExp(`\\b(?:${AWS_KEY_PREFIXES.join('|')}|A3T[A-Z0-9])[A-Z0-9]{16}\\b`),
    triggers: [...AWS_KEY_PREFIXES, 'A3T'],
  },
  {
    kind: 'aws_secret_key',
    pattern: /(?:aws_?)?secret_?access_?key["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/i,
    group: 1,
    triggers: ['secret'],
  },
  {
    kind: 'aws_session_token',
    pattern: /(?:aws_?)?session_?token["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+=]{100,})/i,
    group: 1,
    triggers: ['session'],
  },
  { kind: 'gcp_key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/, triggers: ['aiza'] },
  { kind: 'gcp_key', pattern: /\bGOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/, triggers: ['gocspx-'] },
  {
    // A service-account key file: the PEM block is a JSON string (newlines escaped as \n).
    kind: 'gcp_key',
    pattern: /"private_key"\s*:\s*"(-----BEGIN[^"]*)"/,
    group: 1,
    triggers: ['"private_key"'],
  },
  {
    kind: 'azure_key',
    pattern: /\b(?:AccountKey|SharedAccessKey)\s*=\s*([A-Za-z0-9+/]{20,}={0,2})/i,
    group: 1,
    triggers: ['accountkey', 'sharedaccesskey'],
  },
  { kind: 'azure_sas', pattern: /[?&;]sig=([A-Za-z0-9%+/=]{16,})/, group: 1, triggers: ['sig='] },
  {
    kind: 'github_token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/,
    triggers: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
  },
  {
    kind: 'gitlab_token',
    pattern: /\b(?:(?:glpat|gldt|glptt|glrt|glcbt|glimt|glagent|gloas|glsoat|glffct)-[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,})/,
    triggers: ['glpat-', 'gldt-', 'glptt-', 'glrt-', 'glcbt-', 'glimt-', 'glagent-', 'gloas-', 'glsoat-', 'glffct-', 'gr1348941'],
  },
  { kind: 'slack_token', pattern: /\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,}/, triggers: ['xox', 'xapp-'] },
  {
    kind: 'slack_webhook',
    pattern: /\bhooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/-]{10,})/,
    group: 1,
    triggers: ['hooks.slack.com'],
  },
  { kind: 'npm_token', pattern: /\bnpm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/, triggers: ['npm_'] },
  {
    kind: 'openai_key',
    pattern: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b|\bsk-[A-Za-z0-9]{48}\b/,
    triggers: ['sk-'],
  },
  { kind: 'anthropic_key', pattern: /\bsk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{20,}/, triggers: ['sk-ant-'] },
  {
    kind: 'stripe_key',
    pattern: /\b(?:[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/=]{24,})/,
    triggers: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'whsec_'],
  },
  {
    kind: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/,
    triggers: ['eyj'],
  },
  { kind: 'sendgrid_key', pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/, triggers: ['sg.'] },
  { kind: 'shopify_token', pattern: /\bshp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64}\b/, triggers: ['shpat_', 'shpca_', 'shppa_', 'shpss_'] },
  { kind: 'linear_key', pattern: /\blin_(?:api|oauth)_[A-Za-z0-9_]{32,128}\b/, triggers: ['lin_api_', 'lin_oauth_'] },
  { kind: 'onepassword_token', pattern: /\bops_eyJ[A-Za-z0-9+/=]{40,}/, triggers: ['ops_ey'] },
  { kind: 'vault_token', pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/, triggers: ['hvs.', 'hvb.', 'hvr.'] },
  { kind: 'huggingface_token', pattern: /\bhf_[A-Za-z0-9]{30,}\b/, triggers: ['hf_'] },
  { kind: 'groq_key', pattern: /\bgsk_[A-Za-z0-9]{40,}\b/, triggers: ['gsk_'] },
  { kind: 'notion_token', pattern: /\bntn_[0-9]{11}[A-Za-z0-9]{35}\b/, triggers: ['ntn_'] },
  { kind: 'docker_token', pattern: /\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}/, triggers: ['dckr_'] },
  { kind: 'databricks_token', pattern: /\bdapi[a-f0-9]{32}(?:-\d)?\b/, triggers: ['dapi'] },
  { kind: 'figma_token', pattern: /\bfigd_[A-Za-z0-9_-]{40,}/, triggers: ['figd_'] },
  {
    kind: 'grafana_token',
    pattern: /\bglc_[A-Za-z0-9+/]{32,}={0,2}|\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b/,
    triggers: ['glc_', 'glsa_'],
  },
  { kind: 'vercel_token', pattern: /\bvc[pciark]_[A-Za-z0-9]{20,60}\b/, triggers: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'] },
  { kind: 'pypi_token', pattern: /\bpypi-AgE[A-Za-z0-9_-]{50,}/, triggers: ['pypi-age'] },
  { kind: 'digitalocean_token', pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/, triggers: ['dop_v1_', 'doo_v1_', 'dor_v1_'] },
];

export const TOKEN_RULES: readonly RegexRule[] = RULES.map((rule) => ({ ...rule, priority: PRIORITY_TOKEN }));
