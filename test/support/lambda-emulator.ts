// Runs Lambda functions locally the way Lambda does, for the end-to-end tests: AWS's real
// Runtime Interface Client (see lambda-runtime-install.ts) talks to an emulated Runtime API and
// Extensions API on loopback; external extensions are discovered in <optDir>/extensions and
// started first; the whole process tree is frozen with SIGSTOP between invocations, as Lambda
// freezes the sandbox; timeouts and crashes reset the environment; shutdown follows Lambda's
// SIGTERM / SHUTDOWN / SIGKILL sequence. The parts live in ./lambda-emulator/.
import { LambdaEnvironment } from './lambda-emulator/environment.ts';
import type { EnvironmentOptions } from './lambda-emulator/types.ts';

export { LambdaEnvironment } from './lambda-emulator/environment.ts';
export {
  LambdaInitFailure,
  type EnvironmentOptions,
  type EnvironmentState,
  type InitFailureKind,
  type InvokeError,
  type InvokeOptions,
  type InvokeResult,
  type InvokeStatus,
  type ShutdownReason,
  type ShutdownResult,
  type SignalRecord,
} from './lambda-emulator/types.ts';
export type { RegisteredExtension } from './lambda-emulator/extensions-api.ts';
export type { ExitInfo } from './lambda-emulator/managed-process.ts';
export type { LineFilter, OutputLine, StreamName } from './lambda-emulator/output-log.ts';
export { processState } from './lambda-emulator/proc.ts';

/**
 * Starts an execution environment and resolves once its init phase is done (the sandbox is then
 * frozen until the first invoke). Rejects with LambdaInitFailure if init fails.
 */
export function startEnvironment(options: EnvironmentOptions): Promise<LambdaEnvironment> {
  return LambdaEnvironment.start(options);
}
