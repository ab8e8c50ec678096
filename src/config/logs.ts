/**
 * Logs and redaction: per-logger levels and remaps, the debug buffer, string bounds, console capture,
 * and the redaction additions, from env and code.
 */

import { LOG_LEVELS, levelAliases } from './options.ts';
import type { LogLevel, LogsConfig, ObserveOptions, RedactConfig, RedactOptions } from './options.ts';
import {
  describe,
  envWarning,
  expectBoolean,
  expectNonNegative,
  freeze,
  isPlainObject,
  nonEmpty,
  optionError,
  optionValueError,
  parseBoolean,
  parsePositiveNumber,
  quote,
  setDefined,
} from './env-values.ts';

const DEFAULT_LOG_BUFFER_BYTES = 256 * 1024;
const DEFAULT_MAX_STRING_LENGTH = 8192;
/** Below this a cut string says nothing useful (and the truncation marker alone is ~30 chars). */
const MIN_MAX_STRING_LENGTH = 64;

/** Read the logs and redaction variables into `options`. */
export function parseLogsEnv(env: Readonly<Record<string, string | undefined>>, options: ObserveOptions, warnings: string[]): void {
  setDefined(options, 'logLevels', parseLevelMap(env, 'LAMBDA_OBSERVE_LOG_LEVELS', warnings));
  setDefined(options, 'logRemaps', parseRemaps(env, 'LAMBDA_OBSERVE_LOG_REMAP', warnings));
  setDefined(options, 'logBufferDebug', parseBoolean(env, 'LAMBDA_OBSERVE_LOG_BUFFER_DEBUG', warnings));
  setDefined(options, 'logBufferBytes', parsePositiveNumber(env, 'LAMBDA_OBSERVE_LOG_BUFFER_BYTES', warnings));
  const rate = parsePositiveNumber(env, 'LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE', warnings);
  if (rate !== undefined && rate > 1) {
    warnings.push(envWarning(env, 'LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE', 'is not in [0, 1]'));
  } else if (rate !== undefined) {
    options.logDebugSampleRate = rate;
  }
  const max = parsePositiveNumber(env, 'LAMBDA_OBSERVE_MAX_STRING_LENGTH', warnings);
  if (max !== undefined && max < MIN_MAX_STRING_LENGTH) {
    warnings.push(envWarning(env, 'LAMBDA_OBSERVE_MAX_STRING_LENGTH', `is below ${MIN_MAX_STRING_LENGTH}`));
  } else if (max !== undefined) {
    options.maxStringLength = Math.floor(max);
  }
  setDefined(options, 'captureConsole', parseBoolean(env, 'LAMBDA_OBSERVE_CAPTURE_CONSOLE', warnings));

  const redact: RedactOptions = {};
  setDefined(redact, 'enabled', parseBoolean(env, 'LAMBDA_OBSERVE_REDACT', warnings));
  setDefined(redact, 'keys', parseNames(env.LAMBDA_OBSERVE_REDACT_KEYS));
  setDefined(redact, 'allowKeys', parseNames(env.LAMBDA_OBSERVE_REDACT_ALLOW));
  if (Object.keys(redact).length > 0) options.redact = redact;
}

const LOGGER_NAME = /^[\w\-]+(?:\.[\w\-]+)*$/;

/** `db=warn,http.client=error` → `{ db: 'warn', 'http.client': 'error' }`; bad entries are dropped with a warning. */
function parseLevelMap(env: Readonly<Record<string, string | undefined>>, name: string, warnings: string[]): Record<string, LogLevel> | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const levels: Record<string, LogLevel> = {};
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    const [logger, level] = entry.split('=').map((s) => s.trim());
    const parsed = parseLevelName(level);
    if (logger && LOGGER_NAME.test(logger) && parsed) levels[logger] = parsed;
    else warnings.push(`${name} entry ${quote(entry)} is not name=${LOG_LEVELS.join('|')}; ignored`);
  }
  return Object.keys(levels).length > 0 ? levels : undefined;
}

/** `vendor.sdk:error=warn,vendor.sdk:warn=info` → `{ 'vendor.sdk': { error: 'warn', warn: 'info' } }`. */
function parseRemaps(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  warnings: string[],
): Record<string, Partial<Record<LogLevel, LogLevel>>> | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const remaps: Record<string, Partial<Record<LogLevel, LogLevel>>> = {};
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    const match = /^([^:=\s]+)\s*:\s*(\w+)\s*=\s*(\w+)$/.exec(entry);
    const from = parseLevelName(match?.[2]);
    const to = parseLevelName(match?.[3]);
    if (match && LOGGER_NAME.test(match[1] as string) && from && to) (remaps[match[1] as string] ??= {})[from] = to;
    else warnings.push(`${name} entry ${quote(entry)} is not name:level=level; ignored`);
  }
  return Object.keys(remaps).length > 0 ? remaps : undefined;
}

/** Our four levels, with Lambda's and common aliases (fatal/critical → error, trace → debug). */
function parseLevelName(raw: string | undefined): LogLevel | undefined {
  const value = raw?.trim().toLowerCase();
  if (!value) return undefined;
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : levelAliases[value];
}

function parseNames(raw: string | undefined): string[] | undefined {
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return names.length > 0 ? names : undefined;
}

/** The logs part of the config: level maps and remaps merged per name (code wins), the rest from the merged options. */
export function resolveLogs(merged: ObserveOptions, fromEnv: Readonly<ObserveOptions>, fromCode: ObserveOptions): LogsConfig {
  const remaps: Record<string, Partial<Record<LogLevel, LogLevel>>> = {};
  for (const source of [fromEnv.logRemaps, fromCode.logRemaps]) {
    for (const [name, entry] of Object.entries(source ?? {})) remaps[name] = { ...remaps[name], ...entry };
  }
  return freeze({
    levels: freeze({ ...fromEnv.logLevels, ...fromCode.logLevels }),
    remaps: freeze(remaps),
    bufferDebug: merged.logBufferDebug ?? true,
    bufferBytes: merged.logBufferBytes ?? DEFAULT_LOG_BUFFER_BYTES,
    debugSampleRate: merged.logDebugSampleRate ?? 0,
    maxStringLength: merged.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH,
    captureConsole: merged.captureConsole ?? false,
  });
}

/** Field by field: `enabled` from code wins; key lists and patterns from env and code are combined. */
export function resolveRedact(fromEnv: false | RedactOptions | undefined, fromCode: false | RedactOptions | undefined): RedactConfig {
  const env = fromEnv || {};
  const code = fromCode || {};
  const enabled = fromCode === false ? false : (code.enabled ?? (fromEnv === false ? false : (env.enabled ?? true)));
  return freeze({
    enabled,
    keys: freeze([...(env.keys ?? []), ...(code.keys ?? [])]),
    allowKeys: freeze([...(env.allowKeys ?? []), ...(code.allowKeys ?? [])]),
    patterns: freeze([...(env.patterns ?? []), ...(code.patterns ?? [])]),
  });
}

/** Check the logs and redaction code options. @throws TypeError naming the offending option. */
export function validateLogsOptions(o: Record<string, unknown>): void {
  const levels = o.logLevels;
  if (levels !== undefined) {
    if (!isPlainObject(levels)) throw optionValueError('logLevels', ' must be an object of logger name → level', levels);
    for (const [name, level] of Object.entries(levels)) {
      expectLoggerName('logLevels', name);
      if (!(LOG_LEVELS as readonly unknown[]).includes(level)) {
        throw optionValueError('logLevels', `: the level of ${quote(name)} must be one of ${LOG_LEVELS.join('|')}`, level);
      }
    }
  }
  const remaps = o.logRemaps;
  if (remaps !== undefined) {
    if (!isPlainObject(remaps)) throw optionValueError('logRemaps', ' must be an object of logger name → { from: to }', remaps);
    for (const [name, entry] of Object.entries(remaps)) {
      expectLoggerName('logRemaps', name);
      if (!isPlainObject(entry)) throw optionError('logRemaps', `: the entry of ${quote(name)} must be an object like { error: 'warn' }`);
      for (const [from, to] of Object.entries(entry)) {
        if (!(LOG_LEVELS as readonly string[]).includes(from) || !(LOG_LEVELS as readonly unknown[]).includes(to)) {
          throw optionError('logRemaps', `: ${quote(name)} maps ${quote(from)} to ${describe(to)}; both must be one of ${LOG_LEVELS.join('|')}`);
        }
      }
    }
  }
  expectBoolean(o, 'logBufferDebug');
  expectBoolean(o, 'captureConsole');
  expectNonNegative(o, 'logBufferBytes');
  expectNonNegative(o, 'logDebugSampleRate');
  if (typeof o.logDebugSampleRate === 'number' && o.logDebugSampleRate > 1) {
    throw optionError('logDebugSampleRate', ` must be in [0, 1], got ${o.logDebugSampleRate}`);
  }
  const max = o.maxStringLength;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < MIN_MAX_STRING_LENGTH)) {
    throw optionValueError('maxStringLength', ` must be an integer >= ${MIN_MAX_STRING_LENGTH}`, max);
  }
  validateRedactOption(o.redact);
}

function expectLoggerName(option: string, name: string): void {
  if (!LOGGER_NAME.test(name)) throw optionError(option, `: ${quote(name)} is not a dotted logger name`);
}

function validateRedactOption(redact: unknown): void {
  if (redact === undefined || redact === false) return;
  if (!isPlainObject(redact)) throw optionValueError('redact', ' must be false or an object', redact);
  const known = new Set(['enabled', 'keys', 'allowKeys', 'patterns']);
  for (const key of Object.keys(redact)) {
    if (!known.has(key)) throw new TypeError(`lambda-observe: unknown option "redact.${key}"`);
  }
  expectBoolean(redact, 'enabled');
  for (const key of ['keys', 'allowKeys'] as const) {
    const list = redact[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((k) => typeof k !== 'string' || !k.trim()))) {
      throw optionValueError(`redact.${key}`, ' must be an array of non-empty strings', list);
    }
  }
  const patterns = redact.patterns;
  if (patterns !== undefined) {
    if (!Array.isArray(patterns)) throw optionValueError('redact.patterns', ' must be an array of RegExp or strings', patterns);
    for (const pattern of patterns) {
      if (pattern instanceof RegExp) continue;
      if (typeof pattern !== 'string' || !pattern) throw optionValueError('redact.patterns', ' must hold RegExp or non-empty strings', pattern);
      try {
        new RegExp(pattern, 'g');
      } catch (error) {
        throw optionError('redact.patterns', `: ${quote(pattern)} is not a valid regular expression (${(error as Error).message})`);
      }
    }
  }
}
