/**
 * Builds the package the way it ships (infra/build-package.ts, what `npm run build` runs, into
 * dist/, next to a copy of package.json) in a temp directory, and runs its CLI as a subprocess.
 * The copy keeps the repo's own dist/ out of it (other work may be rebuilding it), and its
 * package.json makes `import 'lambda-observe'` in the copied example handlers resolve to this very
 * build — the module-instance setup a user gets.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  readonly input?: string;
  readonly timeoutMs?: number;
}

export interface BuiltCli {
  /** The temp package root: dist/, handlers/, fixtures/ (test/cli/fixtures), package.json. */
  readonly root: string;
  run(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  cleanup(): void;
}

/** Variables of the developer's shell that would change what the CLI does. */
const SCRUBBED = /^(OTEL_|LAMBDA_OBSERVE_|AWS_|_HANDLER$|_X_AMZN|LAMBDA_TASK_ROOT$|NO_COLOR$|FORCE_COLOR$|NODE_OPTIONS$|NODE_TEST_CONTEXT$|TZ$)/;

export function buildCli(): BuiltCli {
  const root = mkdtempSync(join(tmpdir(), 'lambda-observe-cli-'));
  const build = spawnSync(process.execPath, [join(REPO, 'infra/build-package.ts'), '--out', join(root, 'dist')], {
    cwd: REPO,
    encoding: 'utf8',
  });
  // Type errors elsewhere in the tree (work in progress) still build; errors in the CLI must not exist.
  const cliErrors = build.stderr.split('\n').filter((line) => line.startsWith('src/cli/'));
  if (cliErrors.length > 0) throw new Error(`the CLI does not typecheck:\n${cliErrors.join('\n')}`);
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error(`the package build wrote no dist/cli/main.js:\n${build.stdout}${build.stderr}`);
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  cpSync(join(REPO, 'handlers'), join(root, 'handlers'), { recursive: true });
  cpSync(join(REPO, 'test/cli/fixtures'), join(root, 'fixtures'), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');

  return {
    root,
    run: (args, options = {}) => runCli(root, args, options),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

function runCli(root: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !SCRUBBED.test(key)) env[key] = value;
  Object.assign(env, { NO_COLOR: '1' }, options.env);
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { cwd: root, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`lambda-observe ${args.join(' ')} did not exit within ${options.timeoutMs ?? 20_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Parse every stdout line as JSON; throws naming the first line that is not. */
export function jsonLines(stdout: string): Array<Record<string, any>> {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${line}`);
      }
    });
}

/** `faas.invocation_id` of a line, nested or flat. */
export function invocationIdOf(line: Record<string, any>): string | undefined {
  return line.faas?.invocation_id ?? line['faas.invocation_id'] ?? line.attributes?.['faas.invocation_id'];
}
