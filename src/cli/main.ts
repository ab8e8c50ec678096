#!/usr/bin/env node
/**
 * The `lambda-observe` command: run Lambda handlers locally and see, per invocation, the log
 * lines, the span waterfall, the wide event and the metrics — no AWS, Docker or servers needed.
 *
 * @example
 * npx lambda-observe invoke handlers/orders-api.handler --event api --times 3
 * npx lambda-observe demo
 */
import { readFileSync } from 'node:fs';
import { helpText, parseCli } from './args.ts';
import { demo } from './demo.ts';
import { CliError, EXIT, oneLine } from './errors.ts';
import { invoke } from './invoke.ts';
import { createOutput, viewWidth, type Output } from './output.ts';
import { createStyle, wantsColor } from './render/style.ts';

async function main(argv: readonly string[], out: Output): Promise<number> {
  let verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    const args = parseCli(argv);
    verbose = args.verbose;
    const style = createStyle(wantsColor(process.stdout, process.env));
    switch (args.command) {
      case 'help':
        // Asked for: stdout and success. Run with nothing: usage on stderr, as a usage error.
        if (argv.length === 0) {
          out.problem(helpText().trimEnd());
          return EXIT.badInput;
        }
        out.raw(helpText());
        return EXIT.ok;
      case 'version':
        out.raw(`${packageVersion()}\n`);
        return EXIT.ok;
      case 'demo':
        return await demo(args, { out, style, env: process.env, entry: process.argv[1] ?? '' });
      case 'invoke':
        watchStrayFailures(out, verbose);
        return await invoke(args, { out, style, width: viewWidth(process.stdout), cwd: process.cwd(), env: process.env });
    }
  } catch (error) {
    if (error instanceof CliError) {
      out.problem(`lambda-observe: ${error.message}`);
      if (verbose && error.cause instanceof Error && error.cause.stack) out.problem(error.cause.stack);
      return error.exitCode;
    }
    out.problem(`lambda-observe: unexpected failure: ${oneLine(error)}${verbose ? '' : ' (--verbose shows the stack)'}`);
    if (verbose && error instanceof Error && error.stack) out.problem(error.stack);
    return EXIT.badInput;
  }
}

/**
 * A handler's floating promise that rejects, or a throw from its timer, would end the process
 * (Lambda fails the invocation and restarts the environment). Locally, say so and keep going.
 */
function watchStrayFailures(out: Output, verbose: boolean): void {
  let reporting = false;
  const report = (what: string) => (error: unknown) => {
    if ((error as NodeJS.ErrnoException | null)?.code === 'EPIPE') process.exit(0);
    if (reporting) return; // a failure while reporting one must not loop
    reporting = true;
    try {
      out.problem(`lambda-observe: the handler left ${what}: ${oneLine(error)} (on Lambda this fails the invocation and restarts the environment)`);
      if (verbose && error instanceof Error && error.stack) out.problem(error.stack);
    } catch {
      // Nowhere left to report to.
    } finally {
      reporting = false;
    }
  };
  process.on('unhandledRejection', report('an unhandled promise rejection'));
  process.on('uncaughtException', report('an uncaught exception'));
}

function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const out = createOutput();
const code = await main(process.argv.slice(2), out);
await out.drained();
// Exit now, like Lambda freezing the environment: a handler's open sockets or timers must not keep the CLI alive.
process.exit(code);
