/**
 * Generic readers of env values and validators of code options, shared by every part of the config.
 *
 * Env readers never throw: a bad value pushes a warning and yields undefined, so the default applies.
 * Option validators throw a TypeError naming the option: a bad code option is a programming error.
 *
 * Imports nothing of ours.
 */

/**
 * `Object.freeze` and `JSON.stringify` (how messages quote a value) under short local names: the
 * config calls them ≈ 40 times, and a global's name is kept whole in the minified bundle.
 */
export const freeze: typeof Object.freeze = Object.freeze;
export const quote = JSON.stringify as (value: unknown) => string;

/**
 * The TypeError for a bad code option: `lambda-observe: option "<key>"<problem>`. One builder for
 * every message keeps their common parts in the bundle once (they are ≈ 1 KB of the cold start).
 */
export function optionError(key: string, problem: string): TypeError {
  return new TypeError(`lambda-observe: option "${key}"${problem}`);
}

/** The same, ending with `, got <value>` (described, never echoed in full). */
export function optionValueError(key: string, problem: string, value: unknown): TypeError {
  return optionError(key, `${problem}, got ${describe(value)}`);
}

/** Throw unless `o[key]` is undefined or a non-empty string. */
export function expectString(o: Record<string, unknown>, key: string): void {
  if (o[key] !== undefined && (typeof o[key] !== 'string' || o[key] === '')) throw optionValueError(key, ' must be a non-empty string', o[key]);
}

/** Throw unless `o[key]` is undefined or a boolean. */
export function expectBoolean(o: Record<string, unknown>, key: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'boolean') throw optionValueError(key, ' must be a boolean', o[key]);
}

/** Throw unless `o[key]` is undefined or a finite number >= 0. */
export function expectNonNegative(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw optionValueError(key, ' must be a finite number >= 0', v);
}

/** Throw unless `o[key]` is undefined or one of `choices`. */
export function expectChoice(o: Record<string, unknown>, key: string, choices: readonly string[]): void {
  const v = o[key];
  if (v !== undefined && (typeof v !== 'string' || !choices.includes(v))) throw optionValueError(key, ` must be one of ${choices.join('|')}`, v);
}

/** Throw unless `o[key]` is undefined or an array of `choices`. */
export function expectChoices(o: Record<string, unknown>, key: string, choices: readonly string[]): void {
  const v = o[key];
  if (v !== undefined && (!Array.isArray(v) || v.some((e) => !choices.includes(e)))) throw optionValueError(key, ` must be an array of ${choices.join('|')}`, v);
}

/** Throw unless `o[key]` is undefined or an http(s) URL string. The URL is not echoed: it can carry credentials. */
export function expectHttpUrl(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v !== undefined && (typeof v !== 'string' || !isHttpUrl(v))) {
    throw optionError(key, ` must be an http(s) URL string, got ${typeof v === 'string' ? 'another string' : describe(v)}`);
  }
}

/** A short, safe description of a bad value for an error message (strings quoted, objects by kind only). */
export function describe(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

/** `o[key] = value`, unless `value` is undefined: an unset or bad env value leaves the default. */
export function setDefined<T extends object, K extends keyof T>(o: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) o[key] = value;
}

/** A copy of `o` without its undefined properties, so they do not override env values when merged. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** The trimmed value, or undefined when it is missing or blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The warning for a bad env value: `NAME="value" <problem>; using the default`. */
export function envWarning(env: Readonly<Record<string, string | undefined>>, name: string, problem: string): string {
  return `${name}=${quote(env[name])} ${problem}; using the default`;
}

/** Read a one-of env value; warns and returns undefined when the value is not a known choice. */
export function parseChoice<T extends string>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  choices: readonly T[],
  warnings: string[],
  aliases: Record<string, T> = {},
): T | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return undefined;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  if (aliases[raw]) return aliases[raw];
  warnings.push(envWarning(env, name, `is not one of ${choices.join('|')}`));
  return undefined;
}

/** Read a comma-separated list of choices; unknown entries are dropped with a warning. */
export function parseList<T extends string>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  choices: readonly T[],
  warnings: string[],
): T[] | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const picked: T[] = [];
  for (const part of raw.split(',')) {
    const entry = part.trim().toLowerCase();
    if (!entry) continue;
    if ((choices as readonly string[]).includes(entry)) picked.push(entry as T);
    else warnings.push(`${name} entry ${quote(entry)} is not one of ${choices.join('|')}; ignored`);
  }
  return picked.length > 0 ? picked : undefined;
}

/** Read a boolean env value: true/false/1/0/yes/no/on/off. */
export function parseBoolean(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  warnings: string[],
): boolean | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  warnings.push(envWarning(env, name, 'is not a boolean'));
  return undefined;
}

/** Read a finite number >= 0; warns and returns undefined otherwise. */
export function parsePositiveNumber(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  warnings: string[],
): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (Number.isFinite(value) && value >= 0) return value;
  warnings.push(envWarning(env, name, 'is not a number >= 0'));
  return undefined;
}

/** An http(s) URL, or undefined with a warning. The value is not echoed: URLs can carry credentials. */
export function parseUrl(env: Readonly<Record<string, string | undefined>>, name: string, warnings: string[]): string | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  if (isHttpUrl(raw)) return raw;
  warnings.push(`${name} is not an http(s) URL; using the default`);
  return undefined;
}

/** True when `value` parses as an http: or https: URL. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Each non-blank pair of a `k=v,k2=v2` list with percent-encoded values (W3C baggage-like, as the
 * OTel spec writes headers and resource attributes): the key trimmed (undefined when the pair has
 * no `=` or starts with one) and the value trimmed and decoded (undefined when an escape is bad).
 */
export function eachPair(raw: string, visit: (key: string | undefined, value: string | undefined) => void): void {
  for (const pair of raw.split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    let value: string | undefined;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      // undefined: the caller drops the pair
    }
    visit(eq > 0 ? pair.slice(0, eq).trim() : undefined, value);
  }
}

/** `k=v,k2=v2` with percent-encoded values (W3C baggage-like, per the OTel spec). Values are secrets: never in a warning. */
export function parseHeaders(env: Readonly<Record<string, string | undefined>>, name: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return out;
  let bad = 0;
  eachPair(raw, (key, value) => {
    if (key !== undefined && value !== undefined && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) out[key] = value;
    else bad++;
  });
  if (bad > 0) warnings.push(`${name} has ${bad} entr${bad === 1 ? 'y' : 'ies'} that are not key=value; ignored (values are not shown)`);
  return out;
}

/** A non-null object that is not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
