/**
 * A minimal zip writer and reader (deflate, no zip64, no encryption), enough for the Lambda layer:
 * node:zlib does the compression, so the build needs neither the `zip` CLI (absent on many CI
 * images) nor a dependency. Unix modes are kept (Lambda runs the layer's wrapper and extension
 * only if they are executable) and timestamps are fixed, so the same input gives the same bytes
 * and an unchanged layer keeps its hash.
 */
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Forward slashes, no leading slash; a trailing slash makes a directory. */
  readonly path: string;
  readonly data?: Buffer;
  /** Unix permission bits; default 0o644 for files, 0o755 for directories. */
  readonly mode?: number;
}

export interface ExtractedEntry {
  readonly path: string;
  readonly data: Buffer;
  readonly mode: number;
  readonly directory: boolean;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** "Made by" Unix (3), spec version 2.0: readers then take the mode from the high 16 bits of the external attributes. */
const VERSION_MADE_BY = (3 << 8) | 20;
const VERSION_NEEDED = 20;
const UTF8_NAMES = 0x0800;
const STORED = 0;
const DEFLATED = 8;
/** 1980-01-01 00:00:00, the earliest DOS timestamp. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** Build a zip archive of `entries`, in the order given (directories for every parent are added first). */
export function createZip(entries: readonly ZipEntry[]): Buffer {
  const all = withParentDirectories(entries);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of all) {
    const directory = entry.path.endsWith('/');
    const name = Buffer.from(entry.path, 'utf8');
    const raw = directory ? Buffer.alloc(0) : (entry.data ?? Buffer.alloc(0));
    const deflated = raw.length > 0 ? deflateRawSync(raw, { level: 9 }) : raw;
    const method = deflated.length < raw.length ? DEFLATED : STORED;
    const body = method === DEFLATED ? deflated : raw;
    const checksum = crc32(raw) >>> 0;
    const mode = (directory ? S_IFDIR : S_IFREG) | (entry.mode ?? (directory ? 0o755 : 0o644));

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number start, internal attributes: all 0.
    // External attributes: the Unix mode up high, the MS-DOS directory bit low.
    central.writeUInt32LE(((mode << 16) | (directory ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(all.length, 8);
  end.writeUInt16LE(all.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  if (all.length > 0xffff || offset > 0xffffffff) throw new Error('zip: too large for a zip without zip64');
  return Buffer.concat([...locals, centralDirectory, end]);
}

/** Every entry of a zip archive (stored or deflated), with its Unix mode. */
export function readZip(zip: Buffer): ExtractedEntry[] {
  const endAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error('zip: no end of central directory');
  const count = zip.readUInt16LE(endAt + 10);
  let at = zip.readUInt32LE(endAt + 16);
  const entries: ExtractedEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_HEADER) throw new Error(`zip: bad central directory header at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const checksum = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const external = zip.readUInt32LE(at + 38);
    const localAt = zip.readUInt32LE(at + 42);
    const path = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;

    if (zip.readUInt32LE(localAt) !== LOCAL_HEADER) throw new Error(`zip: bad local header for ${path}`);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const body = zip.subarray(dataAt, dataAt + compressedSize);
    const data = method === DEFLATED ? inflateRawSync(body) : method === STORED ? Buffer.from(body) : unsupported(path, method);
    if ((crc32(data) >>> 0) !== checksum) throw new Error(`zip: CRC mismatch for ${path}`);
    const directory = path.endsWith('/');
    const unixMode = external >>> 16;
    entries.push({ path, data, mode: unixMode & 0o7777 || (directory ? 0o755 : 0o644), directory });
  }
  return entries;
}

/** Unpack `zip` into `dir` (as Lambda unpacks a layer into /opt), keeping modes. Refuses paths that leave `dir`. */
export async function extractZip(zip: Buffer, dir: string): Promise<void> {
  for (const entry of readZip(zip)) {
    const target = normalize(join(dir, entry.path));
    if (target !== normalize(dir) && !target.startsWith(normalize(dir) + sep)) throw new Error(`zip: ${entry.path} leaves the target directory`);
    if (entry.directory) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, entry.data);
    await chmod(target, entry.mode);
  }
}

function unsupported(path: string, method: number): never {
  throw new Error(`zip: ${path} uses compression method ${method}`);
}

function withParentDirectories(entries: readonly ZipEntry[]): ZipEntry[] {
  const seen = new Set<string>();
  const out: ZipEntry[] = [];
  for (const entry of entries) {
    const parts = entry.path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (!seen.has(dir)) {
        seen.add(dir);
        out.push({ path: dir });
      }
    }
    if (!seen.has(entry.path)) {
      seen.add(entry.path);
      out.push(entry);
    }
  }
  return out;
}
