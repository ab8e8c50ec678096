/**
 * Applies the resolved config to the logs pipeline: levels, overrides and remaps, the debug
 * buffer and sampling, the string cap, and the redaction rules every line goes through.
 *
 * Until the lifecycle applies a wrapper's config, the environment's settings apply (a logger used
 * at module load, before the first invocation, already honours LAMBDA_OBSERVE_LOG_LEVEL).
 */
import { readEnv, resolveConfig, type Config } from '../config.ts';
import { configureRedaction } from '../redact/redact.ts';
import { configureDebugBuffer } from './debug-buffer.ts';
import { configureEmit } from './emit.ts';
import { configureLevels, levelsConfigured } from './levels.ts';

/** The parts of Config the logs pipeline reads. */
export type LogSettingsSource = Pick<Config, 'serviceName' | 'logLevel' | 'logs' | 'redact'>;

/** Apply `config` to every part of the logs pipeline (not console capture: see configure.ts). */
export function applyLogSettings(config: LogSettingsSource): void {
  configureEmit({ serviceName: config.serviceName, maxStringLength: config.logs.maxStringLength });
  configureRedaction(
    config.redact.enabled
      ? { keys: config.redact.keys, allowKeys: config.redact.allowKeys, patterns: config.redact.patterns }
      : false,
  );
  configureDebugBuffer({
    enabled: config.logs.bufferDebug,
    maxBytes: config.logs.bufferBytes,
    sampleRate: config.logs.debugSampleRate,
  });
  configureLevels({ root: config.logLevel, levels: config.logs.levels, remaps: config.logs.remaps });
}

/** Apply the environment's settings if nothing was applied yet. */
export function ensureLogSettings(): void {
  if (levelsConfigured()) return;
  try {
    applyLogSettings(resolveConfig(undefined, readEnv()));
  } catch {
    // Env never throws here (bad values fall back), but a log call must not depend on it.
    configureLevels({ root: 'info', levels: {}, remaps: {} });
  }
}
