/**
 * Redaction: the one module that decides what must never leave the function. Logs and the wide
 * event (through logs/emit.ts), span attributes, exception messages and stacks, and metric label
 * values all pass through the redactor configured here, so one rule set protects every channel.
 *
 * On by default with no configuration. Two kinds of rule:
 * - by key: a field whose normalized name matches the key list (password, token, authorization,
 *   cookie, …) has its whole value replaced by the marker, at any depth;
 * - by value: secrets recognised by shape (bearer tokens, JWTs, AWS keys, PEM keys, Luhn-valid card
 *   numbers, `password=…` pairs, URL passwords) are masked inside any string, and URL fields
 *   (`url.full`, `http.target`, `url.query`) have every query value masked.
 *
 * Pure functions over a configured rule set; imports nothing of ours, so every signal may use it.
 */
import { createKeyMatcher, normalizeKey } from './key-rules.ts';
import { createValueScanner, DEFAULT_MARKER, isUrlField, maskQueryValues } from './value-rules.ts';

export { DEFAULT_EXACT_KEYS, DEFAULT_KEY_SUFFIXES, DEFAULT_KEY_TERMS } from './key-rules.ts';
export { DEFAULT_MARKER, passesLuhn } from './value-rules.ts';

/** The user's additions to the default rules. */
export interface RedactionRules {
  /** False turns redaction off everywhere. Default true. */
  readonly enabled?: boolean;
  /** Extra key terms: a field whose normalized name contains one is replaced whole. */
  readonly keys?: readonly string[];
  /** Keys never replaced by name (exact normalized match), e.g. `total_tokens`. Value patterns still apply. */
  readonly allowKeys?: readonly string[];
  /** Extra value patterns (a string is compiled as a RegExp); every match is replaced by the marker. */
  readonly patterns?: readonly (RegExp | string)[];
  /** What replaces a secret. Default `[REDACTED]`. */
  readonly marker?: string;
}

/** A compiled rule set. Every method is pure: inputs are never mutated. */
export interface Redactor {
  readonly marker: string;
  /** Whether the value under `key` is replaced whole (booleans and null never are: they hide nothing). */
  isSensitiveKey(key: string, value?: unknown): boolean;
  /**
   * `text` with secrets masked. `key` is the field it sits in (and `parentKey` the enclosing one,
   * for nested `url: { full }`): URL fields get their query values masked too.
   */
  text(text: string, key?: string, parentKey?: string): string;
  /** A redacted copy of plain data (objects, arrays, strings, numbers); the input itself if nothing changed. */
  value<T>(value: T, key?: string): T;
  /** Span/metric attributes with sensitive keys and values masked; the input object itself if nothing changed. */
  attributes<T extends Readonly<Record<string, unknown>>>(attributes: T): T;
  /** One metric label value (`key` is the label's name, if known). */
  labelValue<T extends string | number | boolean>(value: T, key?: string): T | string;
}

/** Strings up to this length are memoized by `text()`; longer ones (bodies, stacks) rarely repeat. */
const MEMO_MAX_LENGTH = 256;
const MEMO_ENTRIES = 4096;

/** Compile a rule set. Most callers want the shared one: `redactText`, `redactAttributes`, … below. */
export function createRedactor(rules: RedactionRules = {}): Redactor {
  const marker = rules.marker ?? DEFAULT_MARKER;
  const keys = createKeyMatcher(rules);
  const scanner = createValueScanner({
    marker,
    patterns: rules.patterns,
    isSensitiveKey: (key, value) => keys.isSensitive(key, value),
  });
  const urlFields = new Map<string, boolean>();

  function isUrl(key: string, parentKey: string | undefined): boolean {
    const cacheKey = parentKey === undefined ? key : `${parentKey}\u0000${key}`;
    let verdict = urlFields.get(cacheKey);
    if (verdict === undefined) {
      verdict = isUrlField(normalizeKey(key)) || (parentKey !== undefined && isUrlField(normalizeKey(`${parentKey}${key}`)));
      if (urlFields.size >= 4096) urlFields.clear();
      urlFields.set(cacheKey, verdict);
    }
    return verdict;
  }

  /**
   * Short strings repeat from invocation to invocation (ARNs, hosts, routes, user agents, log
   * messages): remember what masking made of them instead of scanning them again. Bounded, and
   * per rule set, so new rules never see stale answers.
   */
  const masks = new Map<string, string>();
  function maskShort(input: string): string {
    if (input.length > MEMO_MAX_LENGTH) return scanner.mask(input);
    let masked = masks.get(input);
    if (masked === undefined) {
      masked = scanner.mask(input);
      if (masks.size >= MEMO_ENTRIES) masks.clear();
      masks.set(input, masked);
    }
    return masked;
  }

  function text(input: string, key?: string, parentKey?: string): string {
    const masked = maskShort(input);
    if (key !== undefined && masked.includes('=') && isUrl(key, parentKey)) return maskQueryValues(masked, marker);
    return masked;
  }

  function value<T>(input: T, key?: string, parentKey?: string, depth = 0): T {
    if (typeof input === 'string') return text(input, key, parentKey) as T;
    if (typeof input === 'number') return (maskNumber(input) ?? input) as T;
    if (input === null || typeof input !== 'object' || depth > 32) return input;
    if (Array.isArray(input)) {
      let changed = false;
      const out = input.map((item) => {
        const next = value(item, key, parentKey, depth + 1);
        changed ||= next !== item;
        return next;
      });
      return (changed ? out : input) as T;
    }
    const source = input as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(source)) {
      const item = source[k];
      const next = keys.isSensitive(k, item) ? marker : value(item, k, key, depth + 1);
      if (next !== item) {
        out ??= { ...source };
        out[k] = next;
      }
    }
    return (out ?? input) as T;
  }

  /** A number that is a Luhn-valid card number becomes the marker. */
  function maskNumber(n: number): string | undefined {
    if (!Number.isInteger(n) || n < 1e12 || n >= 1e19) return undefined;
    const digits = String(n);
    return scanner.mask(digits) === digits ? undefined : marker;
  }

  return {
    marker,
    isSensitiveKey: (key, v) => keys.isSensitive(key, v),
    text,
    value: (input, key) => value(input, key),
    attributes: (attributes) => value(attributes),
    labelValue(input, key) {
      if (key !== undefined && keys.isSensitive(key, input)) return marker;
      if (typeof input === 'string') return text(input, key);
      if (typeof input === 'number') return maskNumber(input) ?? input;
      return input;
    },
  };
}

let shared: Redactor | undefined = createRedactor();

/**
 * Replace the shared rule set (the lifecycle calls this once from the resolved config).
 * `false` or `{ enabled: false }` turns redaction off: the functions below return their input.
 */
export function configureRedaction(rules: RedactionRules | false): void {
  shared = rules === false || rules.enabled === false ? undefined : createRedactor(rules);
}

/** The shared redactor, or undefined when redaction is turned off. */
export function activeRedactor(): Redactor | undefined {
  return shared;
}

/**
 * Mask secrets in a string (an exception message or stack, a span status message).
 * @example
 * redactText('GET failed: Authorization: Bearer abc.def.ghi'); // 'GET failed: Authorization: [REDACTED]'
 */
export function redactText(text: string, key?: string): string {
  return shared ? shared.text(text, key) : text;
}

/**
 * Redact span (or log record) attributes: sensitive keys get the marker, string values (and
 * arrays of them) are scanned, URL attributes get their query values masked. Pure: the input is
 * never mutated; when nothing needed redaction the very same object is returned, so a caller can
 * test `redacted !== attributes` to know whether to write anything back.
 * @example
 * redactAttributes({ 'http.request.header.authorization': 'Bearer x', 'url.full': 'https://h/p?token=1' });
 * // { 'http.request.header.authorization': '[REDACTED]', 'url.full': 'https://h/p?token=[REDACTED]' }
 */
export function redactAttributes<T extends Readonly<Record<string, unknown>>>(attributes: T): T {
  return shared ? shared.attributes(attributes) : attributes;
}

/**
 * Redact one metric label value. Pass the label's name as `key` so that a label named like a
 * secret (`api_key`) is masked whole.
 * @example
 * redactLabelValue('user@example.com?token=abc', 'target'); // 'user@example.com?token=[REDACTED]'
 */
export function redactLabelValue<T extends string | number | boolean>(value: T, key?: string): T | string {
  return shared ? shared.labelValue(value, key) : value;
}

/** A redacted copy of plain data (or the input itself when nothing needed redaction). */
export function redactValue<T>(value: T): T {
  return shared ? shared.value(value) : value;
}
