#!/usr/bin/env node
// Lifeline for a child that cannot watch its parent itself (DynamoDB Local's JVM):
//   node supervise.mjs <command> [args...]
// runs the command with this process's stdout/stderr and stops it when
//   - stdin reaches end of file: the launcher that holds the other end of the pipe has gone, even if it
//     was SIGKILLed and could not clean up (the kernel closes its pipes), or
//   - this process receives SIGTERM, SIGINT or SIGHUP.
// It exits with the child's exit code. Plain JavaScript on purpose: it must start in milliseconds
// with no TypeScript loader, and it is tiny.
import { spawn } from 'node:child_process';

const GRACE_MS = 3000;
const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write('usage: supervise.mjs <command> [args...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;

function stop() {
  if (stopping) return;
  stopping = true;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  // A JVM stuck in shutdown hooks must not outlive the launcher either.
  setTimeout(() => child.kill('SIGKILL'), GRACE_MS).unref();
}

child.on('error', (error) => {
  process.stderr.write(`supervise: cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1));
});

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
process.stdin.on('end', () => stop());
process.stdin.on('close', () => stop());
process.stdin.on('error', () => stop());
process.stdin.resume();
