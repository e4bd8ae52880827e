/**
 * Secrets recognisable by the command they are given to: password arguments of well-known CLIs
 * (`curl -u u:p`, `mysql -pX`, `docker login -p X`, `sshpass -p X`, `redis-cli -a X`,
 * `az login -p X`, `sqlcmd -P X`, `ldapsearch -w X`, `smbclient -U u%X`, `htpasswd -b f u X`,
 * `rabbitmqctl add_user u X`, `vault login X`, `aws configure set aws_secret_access_key X`, a
 * password piped into `sudo -S`) and passwords in SQL statements (`ALTER USER … PASSWORD 'X'`,
 * `IDENTIFIED BY 'X'`, `SET PASSWORD … = 'X'`). Knowledge as data: one entry per shape; only the
 * value becomes the finding, the command and its other arguments are kept (the classifier reads
 * the raw command before redaction, and the stored one still says what was run).
 */
import { type RegexRule, PRIORITY_STRUCTURE } from './detector.js';
import { isPlaceholderValue } from './secret-names.js';

/** A value: single-quoted, double-quoted or bare. Used with group 'first'. */
const ARG_VALUE = String.raw`(?:'([^'\n]*)'|"([^"\n]*)"|([^\s'"]+))`;
/** A value that is not the next flag: bare values do not start with `-` and end at separators (and backquotes). */
const OPT_VALUE = String.raw`(?:'([^'\n]*)'|"([^"\n]*)"|([^\s'"\`;|&<>-][^\s'"\`;|&<>]*))`;
/** A positional argument that is not the secret (a user name, a file), not captured. */
const WORD = String.raw`(?:'[^'\n]*'|"[^"\n]*"|[^\s'"\`;|&<>-][^\s'"\`;|&<>]*)`;
/** Further along the same shell command (not past separators or pipes; bounded, so scans stay linear). */
const SAME_COMMAND = String.raw`[^\n;|&]{0,512}?`;
/** An SQL string literal (`''` escapes a quote) or a double-quoted one. Used with group 'first'. */
const SQL_STRING = String.raw`(?:'((?:[^'\n]|''){1,512})'|"([^"\n]{1,512})")`;
/** `htpasswd` flags (`-C` takes a number). */
const HTPASSWD_FLAG = String.raw`\s+-[A-Za-z]+(?:\s+\d+)?`;

/** SQL parameters (`$1`, `?`, `:pw`, `%s`, `@pw`) stand for a password, they are not one. */
const SQL_PARAMETER = /^(?:\$\d+|\?|:[A-Za-z_]\w*|%s|@[A-Za-z_]\w*)$/;

const notPlaceholder = (v: string): boolean => !isPlaceholderValue(v);
const notSqlPlaceholder = (v: string): boolean => notPlaceholder(v) && !SQL_PARAMETER.test(v.trim());

const RULES: RegexRule[] = [
  {
    kind: 'basic_auth',
    pattern: new RegExp(String.raw`\bcurl\b${SAME_COMMAND}\s(?:-u|--user|--proxy-user|-U)[ =]?(['"]?)[^\s:'"]*:([^\s'"]+)\1`),
    group: 2,
    triggers: ['curl'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mariadb|mariadb-dump)\b${SAME_COMMAND}\s-p${ARG_VALUE}`),
    group: 'first',
    triggers: ['mysql', 'mariadb'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\b(?:docker|podman|nerdctl|buildah|skopeo|helm registry|oras)\s+login\b${SAME_COMMAND}\s-p[ =]?${ARG_VALUE}`),
    group: 'first',
    triggers: ['login'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bsshpass\s+-p\s*${ARG_VALUE}`),
    group: 'first',
    triggers: ['sshpass'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bredis-cli\b${SAME_COMMAND}\s(?:-a|--pass)\s+${ARG_VALUE}`),
    group: 'first',
    triggers: ['redis-cli'],
    accept: notPlaceholder,
  },
  {
    // Azure CLI: `az login -u <user|app id> -p <password|client secret>`.
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\baz\s+login\b${SAME_COMMAND}\s(?:-p|--password)(?:[ =]\s*|(?=['"]))${OPT_VALUE}`),
    group: 'first',
    triggers: ['login'],
    accept: notPlaceholder,
  },
  {
    // SQL Server tools: `-P <password>` (upper case; `-p` is something else).
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\b(?:sqlcmd|bcp|osql)\b${SAME_COMMAND}\s-P\s*${OPT_VALUE}`),
    group: 'first',
    triggers: ['sqlcmd', 'bcp', 'osql'],
    accept: notPlaceholder,
  },
  {
    // OpenLDAP clients: `-w <bind password>` (`-W` prompts, `-y` reads a file).
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bldap(?:search|modify|add|delete|passwd|whoami|compare|modrdn|exop|url)\b${SAME_COMMAND}\s-w\s*${OPT_VALUE}`),
    group: 'first',
    triggers: ['ldap'],
    accept: notPlaceholder,
  },
  {
    // `ldappasswd -a <old> -s <new>`.
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bldappasswd\b${SAME_COMMAND}\s-[as]\s*${OPT_VALUE}`),
    group: 'first',
    triggers: ['ldappasswd'],
    accept: notPlaceholder,
  },
  {
    // Samba clients: `-U user%password` (also `DOMAIN\user%password`, `--user=`).
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\b(?:smbclient|rpcclient|smbcacls|smbget|smbtar|smbcquotas|smbmap|net)\b${SAME_COMMAND}\s(?:-U|--user(?:name)?)(?:=|\s*)(['"]?)[^\s%'"]*%([^\s'"]+)\1`),
    group: 2,
    triggers: ['%'],
    accept: notPlaceholder,
  },
  {
    // `htpasswd -b[c…] file user password` (the password is the third argument).
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bhtpasswd(?!(?:${HTPASSWD_FLAG})*?\s+-[A-Za-z]*n)(?=(?:${HTPASSWD_FLAG})*?\s+-[A-Za-z]*b)(?:${HTPASSWD_FLAG})+\s+${WORD}\s+${WORD}\s+${OPT_VALUE}`),
    group: 'first',
    triggers: ['htpasswd'],
    accept: notPlaceholder,
  },
  {
    // `htpasswd -bn user password` (no file: the password is the second argument).
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bhtpasswd(?=(?:${HTPASSWD_FLAG})*?\s+-[A-Za-z]*n)(?=(?:${HTPASSWD_FLAG})*?\s+-[A-Za-z]*b)(?:${HTPASSWD_FLAG})+\s+${WORD}\s+${OPT_VALUE}`),
    group: 'first',
    triggers: ['htpasswd'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\brabbitmqctl\b${SAME_COMMAND}\s(?:add_user|change_password)\s+${WORD}\s+${OPT_VALUE}`),
    group: 'first',
    triggers: ['rabbitmqctl'],
    accept: notPlaceholder,
  },
  {
    // `vault login [flags] TOKEN`: the token is the last argument; `key=value` arguments are an
    // auth method's (the assignment rules see those), `-` reads stdin, and the value of a
    // `--password` / `--token` flag is the assignment rules' too.
    kind: 'vault_token',
    pattern: new RegExp(String.raw`\bvault\s+login\b${SAME_COMMAND}(?<!-{1,2}(?:password|passwd|token))\s('[^'\n]+'|"[^"\n]+"|[^\s'"=;|&<>-][^\s'"=;|&<>]*)(?=\s*(?:$|[\n;|&)]|\d?>))`),
    group: 1,
    triggers: ['vault'],
    accept: (v) => notPlaceholder(v.replace(/^(['"])(.*)\1$/, '$2')),
  },
  {
    kind: 'aws_secret_key',
    pattern: new RegExp(String.raw`\baws\s+configure\s+set\s+(?:--[\w-]+\s+[^\s-]\S*\s+)*(?:[\w-]+\.)?aws_secret_access_key\s+${OPT_VALUE}`),
    group: 'first',
    triggers: ['configure'],
    accept: notPlaceholder,
  },
  {
    kind: 'aws_session_token',
    pattern: new RegExp(String.raw`\baws\s+configure\s+set\s+(?:--[\w-]+\s+[^\s-]\S*\s+)*(?:[\w-]+\.)?aws_(?:session|security)_token\s+${OPT_VALUE}`),
    group: 'first',
    triggers: ['configure'],
    accept: notPlaceholder,
  },
  {
    // `echo <password> | sudo -S …` (also `printf`), and `sudo -S … <<< <password>`.
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\b(?:echo|printf)\s+(?:-[neE]{1,3}\s+)*(?:'%s(?:\\n)?'\s+|"%s(?:\\n)?"\s+)?${OPT_VALUE}\s*\|\s*sudo\b[^\n;|&]{0,256}?\s-[A-Za-z]*S[A-Za-z]*(?=\s|$)`),
    group: 'first',
    triggers: ['sudo'],
    accept: notPlaceholder,
  },
  {
    kind: 'password_assignment',
    // The look-ahead first: without a here-string in the command nothing else is tried.
    pattern: new RegExp(String.raw`\bsudo\b(?=[^\n;|&]{0,512}<<<)[^\n;|&<]{0,256}?\s-[A-Za-z]*S[A-Za-z]*\s[^\n;|&<]{0,256}<<<\s*${OPT_VALUE}`),
    group: 'first',
    triggers: ['<<<'],
    accept: notPlaceholder,
  },
  {
    // PostgreSQL / SQL Server: `CREATE|ALTER USER|ROLE|LOGIN … [WITH] [ENCRYPTED] PASSWORD [=] 'x'`.
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\b(?:create|alter)\s+(?:user|role|login)\b[^;\n]{0,256}?\bpassword\s*=?\s*${SQL_STRING}`, 'i'),
    group: 'first',
    triggers: ['password'],
    accept: notSqlPlaceholder,
  },
  {
    // MySQL / MariaDB / Oracle: `… IDENTIFIED [WITH plugin] BY [PASSWORD|VALUES] 'x'`.
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bidentified\s+(?:with\s+[\w'"]+\s+)?by\s+(?:(?:password|values)\s+)?${SQL_STRING}`, 'i'),
    group: 'first',
    triggers: ['identified'],
    accept: notSqlPlaceholder,
  },
  {
    // Oracle: `CREATE|ALTER USER name IDENTIFIED BY password` (an unquoted password).
    kind: 'password_assignment',
    pattern: /\b(?:create|alter)\s+user\s+[^\s;]{1,128}\s+identified\s+by\s+(?!(?:random|password|values)\b)([^\s'";]+)/i,
    group: 1,
    triggers: ['identified'],
    accept: notSqlPlaceholder,
  },
  {
    // MySQL / MariaDB: `SET PASSWORD [FOR user] = 'x'` / `= PASSWORD('x')`.
    kind: 'password_assignment',
    pattern: new RegExp(String.raw`\bset\s+password\b(?:\s+for\s+[^=;\n]{1,160}?)?\s*=\s*(?:(?:old_)?password\s*\(\s*)?${SQL_STRING}`, 'i'),
    group: 'first',
    triggers: ['password'],
    accept: notSqlPlaceholder,
  },
];

export const COMMAND_RULES: readonly RegexRule[] = RULES.map((rule) => ({ ...rule, priority: PRIORITY_STRUCTURE }));
