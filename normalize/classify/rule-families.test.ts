/**
 * Per-rule behaviour, table-driven: for each rule family, inputs where a given rule must fire
 * and look-alikes where it must stay silent (every flag spelling included).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClassifier } from './index.js';
import type { ActionInput } from './classification.js';
import { loadCorpus } from './corpus-cases.js';

const classifier = createClassifier();
const shell = (command: string, cwd = '/repo'): ActionInput => ({ tool: 'Bash', command, arguments: {}, cwd, environment: '' });
const tool = (name: string, args: Record<string, unknown>): ActionInput => ({ tool: name, command: '', arguments: args, cwd: '/repo', environment: '' });
const ruleIds = (input: ActionInput): string[] => classifier.classify(input).matches.map((m) => m.rule_id);

type Row = [rule: string, fires: Array<string | ActionInput>, silent: Array<string | ActionInput>];

const TABLE: Record<string, Row[]> = {
  filesystem: [
    ['rm_recursive_wide',
      ['rm -rf /', 'rm -fr /', 'rm -r -f /', 'rm -R -f /', 'rm -Rf /', 'rm -fR /', 'rm --recursive --force /', 'rm --force --recursive ~', 'rm -r /*', 'rm -rf .', 'rm -rf ..', 'rm -rf "$HOME"', 'rm -rf ~/'],
      ['rm -f /', 'rm -rf node_modules', 'rm -rf ./src/old', 'echo rm -rf /', 'grep -r "rm -rf /" .']],
    ['rm_unknown_target', ['rm -rf $DIR/', 'rm -f "$FILE"', 'ls | xargs rm', 'rm -rf "$(pwd)"'], ['rm -rf ./dist', 'rm -rf "$HOME"']],
    ['rm_recursive', ['rm -rf src', 'rm -r docs', 'rm --recursive data'], ['rm -rf node_modules', 'rm -rf dist build', 'rm src.txt']],
    ['rm_recursive_regenerable', ['rm -rf node_modules', 'rm -rf ./dist', 'rm -rf /tmp/x'], ['rm -rf src', 'rm -rf node_modules src']],
    ['rm_files', ['rm a.txt', 'unlink b.db'], ['rm -r a', 'rm /tmp/a.txt', 'rm app.log']],
    ['find_delete', ['find . -name "*.bak" -delete', 'find / -delete'], ['find . -name x -print', 'find /tmp -delete', 'find . -name delete']],
    ['dd_to_device', ['dd if=/dev/zero of=/dev/sda', 'sudo dd of=/dev/nvme0n1 if=x.img'], ['dd if=/dev/sda of=disk.img', 'dd if=/dev/zero of=/dev/null']],
    ['format_filesystem', ['mkfs.ext4 /dev/sdb1', 'mkfs -t xfs /dev/vdb', 'mkswap /dev/sdc2', 'wipefs -a /dev/sdc'], ['echo mkfs /dev/sda', 'lsblk']],
    ['shred_files', ['shred -u secret.txt', 'shred --remove x'], ['echo shred x']],
    ['truncate_to_zero', ['truncate -s 0 app.log', 'truncate -s0 x', 'truncate --size=0 x', 'truncate --size 0 x'], ['truncate -s 10M disk.img', 'truncate -r ref x']],
    ['recursive_permission_change_wide', ['chmod -R 777 /', 'chown -R nobody /etc', 'chmod --recursive 700 ~', 'chgrp -R x /var'], ['chmod -R 755 ./scripts', 'chmod 777 /', 'chmod +x a.sh']],
    ['write_sensitive_path', ['echo x > /etc/hosts', 'cat k >> ~/.ssh/authorized_keys', 'cp a /etc/passwd'], ['echo x > out.txt', 'echo x > /dev/null', 'cp a b']],
    ['rsync_delete', ['rsync -a --delete a/ b/', 'rsync -av --delete-after a b'], ['rsync -av a/ b/']],
  ],
  git: [
    ['git_force_push_protected', ['git push --force origin main', 'git push -f origin master', 'git push origin +main', 'git push --force-with-lease origin main', 'git push -f origin release/1.0', 'git push origin +HEAD:main'],
      ['git push origin main', 'git push --force origin feature/x', 'git push --force-with-lease origin feature/x']],
    ['git_force_push', ['git push --force', 'git push -f origin feature/x', 'git push origin +feature/x'], ['git push --force-with-lease origin feature/x', 'git push -n -f origin x', 'git push origin x']],
    ['git_force_with_lease_feature', ['git push --force-with-lease origin feature/x', 'git push --force-with-lease=feature/x origin feature/x'], ['git push --force-with-lease origin main', 'git push --force-with-lease']],
    ['git_push_delete', ['git push --delete origin x', 'git push -d origin x', 'git push origin :x'], ['git push origin x']],
    ['git_push_delete_protected', ['git push origin --delete main', 'git push origin :master'], ['git push origin --delete feature/x']],
    ['git_reset_hard', ['git reset --hard', 'git reset --hard HEAD~2', 'git -C /x reset --hard'], ['git reset --soft HEAD~1', 'git reset', 'git reset --mixed']],
    ['git_clean_force', ['git clean -fdx', 'git clean -f', 'git clean -xfd', 'git clean --force -d', 'git clean -f -d -x'], ['git clean -n', 'git clean -nd', 'git clean -fdn', 'git clean -i']],
    ['git_branch_force_delete', ['git branch -D x', 'git branch --delete --force x', 'git branch -d -f x'], ['git branch -d x', 'git branch -a', 'git branch new']],
  ],
  terraform: [
    ['terraform_destroy', ['terraform destroy', 'terraform destroy -auto-approve', 'tofu destroy', 'terragrunt run-all destroy', 'terraform -chdir=x destroy'], ['terraform plan -destroy', 'terraform plan', 'echo terraform destroy']],
    ['terraform_apply_destroy', ['terraform apply -destroy', 'terraform apply -destroy -auto-approve', 'terraform apply --destroy'], ['terraform apply', 'terraform apply -auto-approve']],
    ['terraform_apply_auto_approve', ['terraform apply -auto-approve', 'terraform apply --auto-approve', 'terraform apply -auto-approve=true'], ['terraform apply', 'terraform plan', 'terraform apply -destroy -auto-approve']],
    ['terraform_state_rm', ['terraform state rm aws_s3_bucket.x'], ['terraform state list', 'terraform state show x']],
  ],
  kubernetes: [
    ['k8s_delete_namespace', ['kubectl delete ns staging', 'kubectl delete namespace staging', 'kubectl delete namespaces a b', 'kubectl delete ns/staging', 'kubectl -n x delete ns y'], ['kubectl get ns', 'kubectl delete pod ns']],
    ['k8s_delete_all', ['kubectl delete all --all', 'kubectl delete pods --all -n x', 'kubectl delete deploy -A --all', 'kubectl delete pods -l app=x', 'kubectl delete all -n x'], ['kubectl delete pod x', 'kubectl get all -A']],
    ['k8s_delete_stateful', ['kubectl delete pvc data-0', 'kubectl delete pv x', 'kubectl delete secret s', 'kubectl delete sts redis'], ['kubectl delete pod x', 'kubectl get pvc']],
    ['k8s_delete_ephemeral', ['kubectl delete pod x -n my-ns', 'kubectl delete po x', 'kubectl delete job j'], ['kubectl delete deploy x', 'kubectl delete pods --all']],
    ['k8s_delete_workload', ['kubectl delete deployment api', 'kubectl delete svc x', 'kubectl delete cm c'], ['kubectl delete pod x', 'kubectl delete ns x']],
    ['helm_uninstall', ['helm uninstall r', 'helm delete r', 'helm del r -n x', 'helm un r'], ['helm list', 'helm upgrade --install r ./c']],
  ],
  cloud: [
    ['aws_terminate_instances', ['aws ec2 terminate-instances --instance-ids i-1', 'aws --region us-east-1 ec2 terminate-instances --instance-ids i-1 i-2'], ['aws ec2 describe-instances', 'aws ec2 stop-instances --instance-ids i-1']],
    ['aws_s3_rm_recursive', ['aws s3 rm s3://b/p --recursive', 'aws s3 rm --recursive s3://b'], ['aws s3 rm s3://b/k', 'aws s3 rm s3://b --recursive --dryrun', 'aws s3 ls s3://b --recursive']],
    ['aws_s3_remove_bucket_force', ['aws s3 rb s3://b --force'], ['aws s3 rb s3://b', 'aws s3 mb s3://b']],
    ['aws_s3_remove_bucket', ['aws s3 rb s3://empty-bucket'], ['aws s3 rb s3://b --force', 'aws s3 ls']],
    ['aws_database_delete', ['aws rds delete-db-instance --db-instance-identifier x', 'aws rds delete-db-cluster --db-cluster-identifier y', 'aws dynamodb delete-table --table-name T'], ['aws rds describe-db-instances', 'aws dynamodb describe-table --table-name T']],
    ['aws_iam_delete', ['aws iam delete-user --user-name a', 'aws iam delete-role --role-name r', 'aws iam delete-policy --policy-arn arn:x'], ['aws iam list-users', 'aws iam create-user --user-name a']],
    ['gcloud_delete', ['gcloud compute instances delete vm', 'gcloud sql instances delete db --quiet'], ['gcloud compute instances list', 'gcloud projects delete p']],
    ['az_group_delete', ['az group delete --name rg --yes', 'az group delete -n rg'], ['az group list', 'az vm delete -n v -g rg']],
  ],
  containers: [
    ['docker_system_prune', ['docker system prune', 'docker system prune -af', 'podman system prune -a'], ['docker system df', 'docker system prune --volumes']],
    ['docker_volume_remove', ['docker volume rm x', 'docker volume prune -f', 'docker system prune -a --volumes', 'docker compose down -v', 'docker compose down --volumes'], ['docker volume ls', 'docker compose down']],
    ['docker_force_remove_container', ['docker rm -f web', 'docker rm --force web', 'docker container rm -f x'], ['docker rm web', 'docker ps -a']],
  ],
  databases: [
    ['sql_drop_table', ['psql -c "DROP TABLE users"', 'mysql -e "drop table if exists x"', 'sqlite3 a.db "DROP TABLE t"', 'clickhouse-client -q "DROP TABLE e"', 'psql <<SQL\nDROP TABLE t;\nSQL\n', tool('sql', { query: 'DROP TABLE t' })],
      ['echo "DROP TABLE users"', 'psql -c "SELECT \'DROP TABLE users\'"', 'psql -c "-- DROP TABLE x\nSELECT 1"', 'grep "DROP TABLE" -r .']],
    ['sql_drop_database', ['psql -c "DROP DATABASE prod"', 'mysql -e "DROP SCHEMA shop"'], ['psql -c "CREATE DATABASE x"']],
    ['sql_truncate', ['psql -c "TRUNCATE TABLE events"', 'mysql -e "truncate logs"'], ['psql -c "SELECT 1"']],
    ['sql_delete_without_where', ['psql -c "DELETE FROM t"', tool('execute_sql', { sql: 'delete from t' })], ['psql -c "DELETE FROM t WHERE id = 1"']],
    ['sql_update_without_where', ['psql -c "UPDATE t SET a = 1"'], ['psql -c "UPDATE t SET a = 1 WHERE id = 2"']],
    ['sql_delete_with_where', ['psql -c "DELETE FROM t WHERE id = 1"'], ['psql -c "DELETE FROM t"']],
    ['redis_flush', ['redis-cli FLUSHALL', 'redis-cli flushdb', 'redis-cli -h h -n 2 FlushAll'], ['redis-cli GET flushall', 'redis-cli KEYS x']],
  ],
  tools: [
    ['tool_write_sensitive_path', [tool('Write', { file_path: '/etc/hosts' }), tool('Edit', { file_path: '~/.ssh/config' })], [tool('Write', { file_path: 'src/a.ts' }), tool('Read', { file_path: '/etc/hosts' })]],
    ['tool_delete_file', [tool('delete_file', { path: 'src/a.ts' })], [tool('delete_file', { path: '/tmp/a' }), tool('Write', { file_path: 'a' })]],
    ['mail_bulk_delete', [tool('gmail_delete_messages', { query: 'in:inbox' }), tool('empty_trash', {}), tool('delete_emails', { all: true })], [tool('delete_email', { id: 'x' }), tool('list_messages', { query: 'x' })]],
    ['mail_delete', [tool('delete_email', { id: 'x' }), tool('trash_message', { id: 'y' })], [tool('send_email', { to: 'a' }), tool('read_email', { id: 'x' })]],
    ['http_delete_collection', [tool('http_request', { method: 'DELETE', url: 'https://a.example/v1/users' }), shell('curl -X DELETE https://a.example/v1/users')], [tool('http_request', { method: 'DELETE', url: 'https://a.example/v1/users/42' }), tool('http_request', { method: 'GET', url: 'https://a.example/v1/users' })]],
    ['api_bulk_delete', [tool('delete_records', { all: true }), tool('purge_items', { ids: [1, 2] })], [tool('delete_record', { id: 1 }), tool('list_deleted', { all: true })]],
  ],
};

for (const [family, rows] of Object.entries(TABLE)) {
  describe(`rules: ${family}`, () => {
    for (const [rule, fires, silent] of rows) {
      test(`${rule} fires`, () => {
        for (const f of fires) assert.ok(ruleIds(typeof f === 'string' ? shell(f) : f).includes(rule), `${rule} should fire on ${JSON.stringify(f)}`);
      });
      test(`${rule} stays silent on look-alikes`, () => {
        for (const s of silent) assert.ok(!ruleIds(typeof s === 'string' ? shell(s) : s).includes(rule), `${rule} should not fire on ${JSON.stringify(s)}`);
      });
    }
  });
}

test('every bundled rule fires somewhere: in this table or in the labelled corpus', () => {
  const covered = new Set(Object.values(TABLE).flatMap((rows) => rows.map((r) => r[0])));
  for (const c of loadCorpus()) for (const m of classifier.classify(c.input).matches) covered.add(m.rule_id);
  const missing = classifier.rules.rules.map((r) => r.id).filter((id) => !covered.has(id));
  assert.deepEqual(missing, [], `rules never exercised: ${missing.join(', ')}`);
});
