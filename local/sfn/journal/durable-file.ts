import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Files replaced atomically and durably: written under a temporary name (`<file>.tmp`), fsynced,
 * then renamed over the file, so that after a crash the file is either the old one or the whole
 * new one. Used for the snapshot, the task-token secret and the clock's offset.
 */

/** Writes `text` to `file` durably (creating its directory); `mode` for a file to keep private. */
export function writeDurably(file: string, text: string, mode?: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  writeFileSync(temp, text, mode === undefined ? undefined : { mode });
  fsyncPath(temp, 'r+');
  renameSync(temp, file);
}

/** The same for a file written piece by piece: `fill` writes the temporary file. */
export async function writeDurablyFrom(
  file: string,
  fill: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const temp = `${file}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await fill(handle);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/** fsync of the directory makes a created or renamed file's name durable. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    fsyncPath(dir, 'r');
  } catch {
    // Some platforms cannot fsync a directory; the file contents are still synced.
  }
}

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
