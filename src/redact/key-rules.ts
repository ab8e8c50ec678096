/**
 * Which field names hold secrets. A key is compared in a normalized form (lower case, letters and
 * digits only), so `API_KEY`, `api-key`, `apiKey` and `http.request.header.x-api-key` all meet
 * the term `apikey`. Decisions are cached per raw key: log lines repeat the same few keys, so the
 * steady-state cost of a key check is one Map lookup.
 */

/** Terms that make a key sensitive wherever they appear in it (`db_password`, `refresh_token`). */
export const DEFAULT_KEY_TERMS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'privatekey',
  'credential',
  'accesskey',
  'cardnumber',
  'creditcard',
  'ccnumber',
  'cvv',
  'cvc',
  'securitycode',
  'sessionid',
  'sessionkey',
  'xamzsignature',
  'socialsecurity',
];

/** Short terms that are sensitive only at the end of a key (`oauth`, `user_ssn`, `session`), not inside words (`author`, `classname`). */
export const DEFAULT_KEY_SUFFIXES: readonly string[] = ['auth', 'ssn', 'session'];

/** Short names that are sensitive only as a whole key (or last dotted segment): `pin`, not `spinner`. */
export const DEFAULT_EXACT_KEYS: readonly string[] = ['pin', 'otp', 'pwd', 'pass', 'sid', 'iban', 'mfa'];

/**
 * Endings that make a default match harmless: a count, a type, a name or an expiry says something
 * about a secret without being one (`token_type`, `secret_name`, `password_length`, `expires_in`).
 * They do not apply to keys the user added.
 */
const HARMLESS_SUFFIXES = [
  'count',
  'counts',
  'type',
  'types',
  'length',
  'size',
  'ttl',
  'expiresin',
  'expiresat',
  'expiry',
  'expiration',
  'arn',
  'name',
  'names',
  'enabled',
  'required',
  'present',
  'url',
  'uri',
  'endpoint',
  'limit',
];

/** Plural "tokens" holding a number is an LLM usage count (`total_tokens`), not a credential. */
const TOKEN_COUNT = /tokens$/;

/** Lower case, letters and digits only. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Options of the key matcher; every list is matched on normalized names. */
export interface KeyRuleOptions {
  /** Extra terms: a key containing one (normalized) is sensitive. */
  readonly keys?: readonly string[];
  /** Keys never redacted by name (exact normalized match of the key or of its last dotted segment). */
  readonly allowKeys?: readonly string[];
}

export interface KeyMatcher {
  /** True when the value under `key` must be replaced whole. Booleans and null never are: they hide nothing. */
  isSensitive(key: string, value?: unknown): boolean;
}

const CACHE_LIMIT = 4096;

/** Build the matcher for the default list plus the user's terms, minus the allow-list. */
export function createKeyMatcher(options: KeyRuleOptions = {}): KeyMatcher {
  const defaults = new RegExp(
    [
      `(?:${DEFAULT_KEY_TERMS.join('|')})`,
      `(?:${DEFAULT_KEY_SUFFIXES.join('|')})$`,
    ].join('|'),
  );
  const exact = new Set(DEFAULT_EXACT_KEYS);
  const harmless = new RegExp(`(?:${HARMLESS_SUFFIXES.join('|')})$`);
  const userTerms = (options.keys ?? []).map(normalizeKey).filter(Boolean);
  const user = userTerms.length > 0 ? new RegExp(userTerms.map(escapeRegExp).join('|')) : undefined;
  const allowed = new Set((options.allowKeys ?? []).map(normalizeKey).filter(Boolean));

  // 0 = not sensitive, 1 = sensitive, 2 = sensitive unless the value is a number (LLM token counts).
  const cache = new Map<string, 0 | 1 | 2>();

  function classify(key: string): 0 | 1 | 2 {
    const normalized = normalizeKey(key);
    if (!normalized) return 0;
    const dot = key.lastIndexOf('.');
    const last = dot >= 0 ? normalizeKey(key.slice(dot + 1)) : normalized;
    if (allowed.has(normalized) || allowed.has(last)) return 0;
    if (user?.test(normalized)) return 1;
    if (exact.has(last)) return 1;
    if (!defaults.test(normalized) || harmless.test(normalized)) return 0;
    return TOKEN_COUNT.test(normalized) ? 2 : 1;
  }

  return {
    isSensitive(key, value) {
      if (value === null || typeof value === 'boolean') return false;
      let verdict = cache.get(key);
      if (verdict === undefined) {
        verdict = classify(key);
        // Keys built from data (ids as keys) would grow the cache without bound; start over instead.
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(key, verdict);
      }
      return verdict === 1 || (verdict === 2 && typeof value !== 'number');
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
