/**
 * A server that answers every hook call at once, the way Warden answers an allow (Claude Code's
 * format, its length, `warden-hook-exit: 0`, the connection closed): the hooks bench points the
 * shell client at it, under the same load, to measure the client's own share of a call — its
 * programs starting and bash speaking HTTP — apart from Warden's. Started by the bench in a
 * session of its own, as Warden is, with the port as its one argument; prints `listening` once
 * it listens.
 */
import http from 'node:http';

const body = JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'allow', permissionDecisionReason: 'answered at once (bench baseline)' } });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'warden-hook-exit': '0', connection: 'close' });
    res.end(body);
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('disconnect', () => process.exit(0));
