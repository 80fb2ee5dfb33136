/**
 * Byte sources for the capture readers: a file read in large chunks, any
 * Readable (stdin), optionally through gunzip. A file's chunks come from a
 * ChunkPool and are read into again once the reader gives them back, so
 * packet views into them are valid only while the reader handles the chunk.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureError } from '../core/types.js';

export const DEFAULT_CHUNK = 1 << 20;

/**
 * Read buffers used again: the reader (RecordReader.run) gives a chunk back
 * once every packet in it has been handled, and the next read of the same
 * size goes into it, so a long capture does not allocate (and page-fault, and
 * leave to the allocator) a fresh megabyte per chunk. The stages after the
 * reader copy whatever they keep beyond a packet (reassembly buffers, TLS
 * record and message buffers, certificates, raw messages), which the tests
 * check by poisoning given-back chunks (`poison`) on every capture they read.
 */
export class ChunkPool {
  /** Tests: fill each chunk given back with 0xEE, so a view kept into it shows. */
  static poison = false;
  /** Tests: false reads every chunk into a fresh buffer (the reference a poisoned run is compared with). */
  static reuse = true;
  private readonly free: Buffer[] = [];
  /** Buffers handed out and not given back yet, by their memory. */
  private readonly out = new WeakMap<ArrayBufferLike, Buffer>();

  constructor(
    readonly size: number,
    private readonly keep = 8,
  ) {}

  take(): Buffer {
    const b = this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
    this.out.set(b.buffer, b);
    return b;
  }

  /** Gives back the buffer `view` lies in, if it came from this pool and is still out (anything else is ignored). */
  give(view: Uint8Array): void {
    const b = this.out.get(view.buffer);
    if (b === undefined) return;
    this.out.delete(view.buffer);
    if (ChunkPool.poison) b.fill(0xee);
    if (ChunkPool.reuse && this.free.length < this.keep) this.free.push(b);
  }
}

/** Reads in flight ahead of the caller on a regular file. */
const READ_AHEAD = 3;

/**
 * Read a file handle in chunks of `chunkSize`; closes the handle when done or
 * abandoned. Reads run ahead in the libuv thread pool while the caller works
 * on the current chunk: up to READ_AHEAD of them, at explicit offsets, on a
 * regular file (`sizeHint` > 0: its size when opened), so that fast
 * processing (bulk traffic: about 0.3 ms per MiB) does not wait for each
 * read in turn; one at a time, at the current position, on anything else
 * (FIFOs, devices). A short read (the end, or a file that shrank) drops the
 * reads queued beyond it and goes on from where it stopped, so a file that
 * grows while it is read is still read in order without holes.
 */
export async function* fileChunks(fh: FileHandle, chunkSize: number, sizeHint: number, pool?: ChunkPool): AsyncGenerator<Buffer> {
  interface Pending {
    off: number;
    want: number;
    read: Promise<Buffer | null>;
  }
  const positioned = sizeHint > 0;
  let next = 0; // offset of the next read to issue
  const issue = (): Pending => {
    // Small files get small buffers; growing files / FIFOs (sizeHint 0) get full chunks.
    const want = sizeHint > next ? Math.min(chunkSize, Math.max(sizeHint - next, 65536)) : chunkSize;
    const buf = pool !== undefined && want === pool.size ? pool.take() : Buffer.allocUnsafe(want);
    const read = fh.read(buf, 0, want, positioned ? next : null).then(({ bytesRead }) =>
      bytesRead === 0 ? null : bytesRead < want ? buf.subarray(0, bytesRead) : buf,
    );
    read.catch(() => undefined); // a failure surfaces when awaited
    const off = next;
    next += want;
    return { off, want, read };
  };
  const queue: Pending[] = [];
  try {
    queue.push(issue());
    for (;;) {
      const head = queue.shift() as Pending;
      const b = await head.read;
      if (b === null) return;
      if (b.length < head.want) {
        // short: whatever was queued beyond it is dropped, reading goes on right after it
        for (const p of queue.splice(0)) await p.read.catch(() => undefined);
        next = head.off + b.length;
      }
      while (queue.length < (positioned ? READ_AHEAD : 1)) queue.push(issue());
      yield b;
    }
  } finally {
    for (const p of queue) await p.read.catch(() => undefined);
    await fh.close().catch(() => undefined);
  }
}

/** Chunks of a Readable, as Buffers. */
export async function* streamChunks(s: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  for await (const c of s as AsyncIterable<Buffer | string>) {
    const b = typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
    if (b.length > 0) yield b;
  }
}

/** Decompress a gzip byte stream (all members), output in chunks of up to `chunkSize`. */
export function gunzipChunks(src: AsyncIterable<Buffer>, chunkSize: number): AsyncIterable<Buffer> {
  const gz = createGunzip({ chunkSize: Math.max(64 * 1024, Math.min(chunkSize, 4 << 20)) });
  pipeline(Readable.from(src, { objectMode: false }), gz, () => undefined);
  return gz as AsyncIterable<Buffer>;
}

/**
 * Pull-based chunk queue with a small look-ahead (for magic detection) and a
 * running offset of the next byte that `next()` returns.
 */
export class ChunkSource {
  private readonly it: AsyncIterator<Buffer>;
  private readonly pending: Buffer[] = [];
  private pendingLen = 0;
  private ended = false;
  /** Offset (in the decompressed stream) of the next byte handed out. */
  offset = 0;

  constructor(
    src: AsyncIterable<Buffer>,
    private readonly pool?: ChunkPool,
  ) {
    this.it = src[Symbol.asyncIterator]();
  }

  /** The caller is done with `chunk` (from next()) and keeps no view of it: its buffer may be read into again. */
  recycle(chunk: Uint8Array): void {
    this.pool?.give(chunk);
  }

  /** Ensure at least `n` bytes are buffered (fewer at end of input); returns the count buffered. */
  async fill(n: number): Promise<number> {
    while (this.pendingLen < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      const b = typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
      if (b.length === 0) continue;
      this.pending.push(b);
      this.pendingLen += b.length;
    }
    return this.pendingLen;
  }

  /** A copy of the first `n` buffered bytes (or fewer). Call fill() first. */
  peek(n: number): Buffer {
    const out = Buffer.alloc(Math.min(n, this.pendingLen));
    let o = 0;
    for (const b of this.pending) {
      if (o >= out.length) break;
      const t = Math.min(b.length, out.length - o);
      out.set(b.subarray(0, t), o);
      o += t;
    }
    return out;
  }

  /** Drop `n` buffered bytes (n <= buffered). */
  skip(n: number): void {
    while (n > 0 && this.pending.length > 0) {
      const b = this.pending[0]!;
      if (b.length <= n) {
        this.pending.shift();
        this.pendingLen -= b.length;
        this.offset += b.length;
        n -= b.length;
      } else {
        this.pending[0] = b.subarray(n);
        this.pendingLen -= n;
        this.offset += n;
        n = 0;
      }
    }
  }

  /** The next chunk, or null at the end of the input. Throws what the underlying source throws. */
  async next(): Promise<Buffer | null> {
    let b: Buffer | undefined = this.pending.shift();
    if (b === undefined) {
      if (this.ended) return null;
      for (;;) {
        const r = await this.it.next();
        if (r.done) {
          this.ended = true;
          return null;
        }
        b = typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
        if (b.length > 0) break;
      }
    } else {
      this.pendingLen -= b.length;
    }
    this.offset += b.length;
    return b;
  }

  /** Abandon the input (closes files / destroys streams). */
  async close(): Promise<void> {
    this.ended = true;
    this.pending.length = 0;
    this.pendingLen = 0;
    try {
      await this.it.return?.();
    } catch {
      /* ignore */
    }
  }
}

/** Open a path as a chunk iterable, turning OS errors into CaptureError at offset 0. */
export async function openPath(path: string, name: string, chunkSize: number, pool?: ChunkPool): Promise<AsyncIterable<Buffer>> {
  let size = 0;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new CaptureError(name, 0, 'cannot read: is a directory');
    if (st.isFile()) size = st.size;
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    throw new CaptureError(name, 0, osMessage(e));
  }
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new CaptureError(name, 0, osMessage(e));
  }
  return fileChunks(fh, chunkSize, size, pool);
}

export function osMessage(e: unknown): string {
  const code = (e as { code?: string } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'cannot open: no such file';
    case 'EISDIR':
      return 'cannot read: is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'cannot open: permission denied';
    default:
      return `cannot read: ${e instanceof Error ? e.message : String(e)}`;
  }
}
