/**
 * An append-only text file with writes serialized one at a time, and `sync: true` waiting for
 * fsync, so a line that was acknowledged survives a crash. Appends that arrive while a write is
 * under way are grouped: the next write takes all of them, in order, with a single fsync (group
 * commit), so many revocations at once cost one disk flush, not one each. `replace()` swaps the whole content atomically (write a temporary file,
 * fsync, rename, fsync the folder), for compaction. The revocation log and the webhook outbox
 * both write through it. Files are the owner's only (0600; an older file is made so on open),
 * and a folder it creates is 0700.
 */
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

interface PendingAppend {
  text: string;
  sync: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class AppendFile {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private pending: PendingAppend[] = [];

  private constructor(
    readonly path: string,
    private handle: FileHandle,
  ) {}

  static async open(path: string): Promise<AppendFile> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(path, 'a', 0o600);
    await handle.chmod(0o600);
    return new AppendFile(path, handle);
  }

  append(text: string, options: { sync: boolean }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ text, sync: options.sync, resolve, reject });
      if (this.pending.length > 1) return; // a group write is already scheduled
      void this.serialized(async () => {
        const group = this.pending;
        this.pending = [];
        try {
          await this.handle.write(group.map((p) => p.text).join(''));
          if (group.some((p) => p.sync)) await this.handle.sync();
          for (const p of group) p.resolve();
        } catch (err) {
          for (const p of group) p.reject(err);
        }
      }).catch((err: unknown) => {
        const group = this.pending;
        this.pending = [];
        for (const p of group) p.reject(err);
      });
    });
  }

  /** Replaces the content atomically; later appends go to the new file. */
  replace(text: string): Promise<void> {
    return this.serialized(async () => {
      const temporary = `${this.path}.compact`;
      const next = await open(temporary, 'w', 0o600);
      try {
        await next.write(text);
        await next.sync();
      } finally {
        await next.close();
      }
      await rename(temporary, this.path);
      await syncFolder(dirname(this.path));
      const old = this.handle;
      this.handle = await open(this.path, 'a', 0o600);
      await old.close();
    });
  }

  close(): Promise<void> {
    return this.serialized(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.handle.close();
    });
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.closed) throw new Error(`append file closed: ${this.path}`);
      return operation();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
