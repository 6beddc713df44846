/**
 * Child process: aws-ses-v2-local on 127.0.0.1. It serves the web mailbox at `/` and the mail as JSON
 * at `/store`.
 * Usage: node --import tsx local/emulators/ses-server.ts --port <n> [--data-dir <dir>]
 *
 * With `--data-dir`, every mail it accepts is appended to `<dir>/mail.jsonl` (one JSON object per
 * line, file mode 0600: it holds personal data) and synced to disk before the SES call is answered,
 * and the file is read back on start, so `/store` serves every mail received since the directory was
 * created, across restarts and crashes (the local stack passes `<data dir>/ses`). `/clear-store`
 * empties the file too. Templates stay in memory. Without `--data-dir`, mail is kept in memory only.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import sesModule from 'aws-ses-v2-local';
import { guardMailbox } from '../loopback-guard.ts';
import { announceReady, EXIT_PORT_IN_USE, flag, requiredFlag, stopWithParent } from './lifeline.ts';

const port = Number(requiredFlag('port'));
const dataDir = flag('data-dir');

/** The mail as aws-ses-v2-local's store keeps it (dist/store.d.ts `Email`); stored as is. */
type StoredEmail = { messageId: string; at: number } & Record<string, unknown>;

/**
 * aws-ses-v2-local's store module. Its routes call `store_1.saveEmail(...)` and `store_1.clearStore()`
 * through the module's exports object at each request, so replacing those two exports is enough to
 * see every accepted mail. Loaded with `require` so that it is the very instance the server uses.
 */
interface SesStore {
  saveEmail(email: StoredEmail): void;
  clearStore(): void;
  getStoreReadonly(): { emails: StoredEmail[] };
}

const MAIL_FILE = 'mail.jsonl';

/** Reads the mail file back: complete lines only (a line torn by a crash was never acknowledged). */
function loadMail(file: string): { emails: StoredEmail[]; completeBytes: number } {
  if (!existsSync(file)) return { emails: [], completeBytes: 0 };
  const content = readFileSync(file);
  const end = content.lastIndexOf(0x0a) + 1;
  const emails: StoredEmail[] = [];
  const lines = content.subarray(0, end).toString('utf8').split('\n');
  lines.forEach((line, index) => {
    if (line === '') return;
    try {
      emails.push(JSON.parse(line) as StoredEmail);
    } catch {
      process.stderr.write(`aws-ses-v2-local: ${file} line ${index + 1} is not JSON; skipped\n`);
    }
  });
  if (end < content.length)
    process.stderr.write(
      `aws-ses-v2-local: ${file} ends with a torn line (${content.length - end} bytes); cut off\n`,
    );
  return { emails, completeBytes: end };
}

function persistMail(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, MAIL_FILE);
  const { emails, completeBytes } = loadMail(file);
  const fd = openSync(file, 'a', 0o600);
  // A file created by an earlier version, or under another umask, gets the mode it should have.
  chmodSync(file, 0o600);
  ftruncateSync(fd, completeBytes);

  const store = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as SesStore;
  store.getStoreReadonly().emails.push(...emails);
  const saveEmail = store.saveEmail;
  const clearStore = store.clearStore;
  store.saveEmail = (email) => {
    // On disk before the store (and so before the SES call is answered): a mail the caller was told
    // was accepted survives a crash. A failed write fails the SES call instead.
    writeSync(fd, `${JSON.stringify(email)}\n`);
    fdatasyncSync(fd);
    saveEmail(email);
  };
  store.clearStore = () => {
    ftruncateSync(fd, 0);
    fdatasyncSync(fd);
    clearStore();
  };
  process.once('exit', () => closeSync(fd));
  if (emails.length > 0)
    process.stderr.write(`aws-ses-v2-local: ${emails.length} mails reloaded from ${file}\n`);
}

// aws-ses-v2-local calls express's listen() without an error handler, so a taken port would surface as
// an unhandled 'error' event with a stack trace: probe the port first (a race remains, only if another
// program grabs the port within these milliseconds).
await new Promise<void>((resolve) => {
  const probe = createServer();
  probe.once('error', () => {
    process.stderr.write(`aws-ses-v2-local: port ${port} on 127.0.0.1 is already in use\n`);
    process.exit(EXIT_PORT_IN_USE);
  });
  probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
});

if (dataDir !== undefined) persistMail(dataDir);

// A CommonJS module with `exports.default`: Node's ESM import gives the whole `module.exports`.
const start = sesModule.default;
const server = await start({ host: '127.0.0.1', port });
// aws-ses-v2-local checks neither the Host header nor where a request comes from: the guard answers
// first, as the local API and the Step Functions service do.
guardMailbox(server, port);
stopWithParent(
  () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
const address = server.address();
announceReady(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : port}`);
