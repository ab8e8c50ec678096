/**
 * Secrets recognised inside any string, in two passes that each run only when a cheap one-pass
 * trigger scan says they could find something (most log strings — messages, ids, ISO timestamps,
 * UUIDs, routes — trigger neither):
 *
 * 1. shapes, one precompiled regex: auth schemes (`Bearer …`, `Basic …`), JWTs, AWS access key
 *    ids, PEM private keys, provider tokens (Stripe, GitHub, Slack, Google, GitLab, npm) and card
 *    numbers that pass the Luhn check;
 * 2. pairs, a linear scan of every `=` and `:`: the key before it is judged by the same key rules
 *    as object keys (so the default list, the user's keys and the allow-list all apply to
 *    `password=…`, `"token": "…"`, `aws_secret_access_key = …` in error messages and stringified
 *    bodies), plus passwords in URLs (`postgres://user:pass@host`) and signature-like query
 *    parameters (`?sig=…`, `&X-Amz-Credential=…`).
 */
import { normalizeKey } from './key-rules.ts';

export const DEFAULT_MARKER = '[REDACTED]';

/** One branch of the shape regex. `name` is its named group; `replace` gets the whole match. */
interface Branch {
  readonly name: string;
  readonly source: string;
  replace(match: string, groups: Record<string, string | undefined>): string;
}

export interface ValueRuleOptions {
  readonly marker: string;
  /** Decides whether a key found in free text is sensitive (the same rules as object keys). */
  readonly isSensitiveKey: (key: string, value: unknown) => boolean;
  /** The user's own value patterns; every match becomes the marker. */
  readonly patterns?: readonly (RegExp | string)[];
}

export interface ValueScanner {
  /** `text` with every recognised secret masked; the same string when there is none. */
  mask(text: string): string;
}

/** Query parameters that carry credentials under names too generic for the key list. */
const QUERY_SECRET_PARAMS = new Set(['sig', 'signature', 'code', 'key', 'xamzcredential', 'xamzsignature', 'xamzsecuritytoken']);

export function createValueScanner(options: ValueRuleOptions): ValueScanner {
  const { marker } = options;
  const branches: Branch[] = [
    {
      name: 'pem',
      source: String.raw`-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----|$)`,
      replace: () => marker,
    },
    {
      name: 'bearer',
      source: String.raw`\b(?<bearerScheme>(?:[Bb]earer|BEARER)\s+)[\w\-.~+/]{12,}=*`,
      replace: (_m, g) => `${g.bearerScheme}${marker}`,
    },
    {
      name: 'basic',
      source: String.raw`\b(?<basicScheme>(?:[Bb]asic|BASIC)\s+)(?<basicCredentials>[A-Za-z0-9+/]{6,}={0,2})(?![\w+/=])`,
      replace: (match, g) =>
        // "Basic" is also an English word: mask only what decodes to `user:password`.
        Buffer.from(g.basicCredentials as string, 'base64').toString('latin1').includes(':') ? `${g.basicScheme}${marker}` : match,
    },
    {
      name: 'jwt',
      source: String.raw`\beyJ[\w\-]{8,}\.eyJ[\w\-]{8,}\.[\w\-]*`,
      replace: () => marker,
    },
    {
      name: 'awsKeyId',
      source: String.raw`\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b`,
      replace: () => marker,
    },
    {
      name: 'providerToken',
      source: String.raw`\b(?:[sr]k_(?:live|test)_[0-9a-zA-Z]{16,}|gh[pousr]_[0-9a-zA-Z]{36,}|github_pat_\w{40,}|xox[abprs]-[0-9a-zA-Z\-]{10,}|AIza[\w\-]{35}|glpat-[\w\-]{20,}|npm_[0-9a-zA-Z]{36})`,
      replace: () => marker,
    },
    {
      name: 'card',
      // Brands start with 2–6 (epoch milliseconds start with 1); grouped forms need consistent separators.
      source: String.raw`\b(?:[2-6]\d{12,18}|[2-6]\d{3}(?<cardSep>[ \-])\d{4}\k<cardSep>\d{4}\k<cardSep>\d{1,7}|3[47]\d{2}(?<amexSep>[ \-])\d{6}\k<amexSep>\d{5})\b`,
      replace: (match) => (passesLuhn(match.replace(/\D/g, '')) ? marker : match),
    },
  ];
  const shapes = new RegExp(branches.map((b) => `(?<${b.name}>${b.source})`).join('|'), 'g');
  const userPatterns = (options.patterns ?? []).map(toGlobal);

  function replaceShape(match: string, ...rest: unknown[]): string {
    const groups = rest[rest.length - 1] as Record<string, string | undefined>;
    for (const branch of branches) {
      if (groups[branch.name] !== undefined) return branch.replace(match, groups);
    }
    return match;
  }

  /** Mask the values of sensitive `key=value` / `key: value` pairs and URL passwords. */
  function maskPairs(text: string): string {
    let out = '';
    let copied = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 61 && c !== 58) continue;
      if (c === 58 && text.startsWith('//', i + 1)) {
        // scheme://user:password@host — mask the password, then carry on after the authority.
        const end = authorityEnd(text, i + 3);
        const at = text.lastIndexOf('@', end - 1);
        if (at > i + 3) {
          const colon = text.indexOf(':', i + 3);
          if (colon > 0 && colon < at) {
            out += text.slice(copied, colon + 1) + marker;
            copied = at;
          }
        }
        i = end - 1;
        continue;
      }
      const keyEnd = skipBack(text, i);
      let keyStart = keyEnd;
      while (keyStart > 0 && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
      if (keyStart === keyEnd) continue;
      const valueStart = skipForward(text, i + 1);
      const valueEnd = valueEndAt(text, valueStart);
      if (valueEnd <= valueStart) continue;
      const key = text.slice(keyStart, keyEnd);
      const value = text.slice(valueStart, valueEnd);
      const before = text.charCodeAt(keyStart - 1);
      const inQuery = c === 61 && (before === 63 || before === 38); // ? or &
      const sensitive =
        options.isSensitiveKey(key, /^\d+$/.test(value) ? Number(value) : value) ||
        (inQuery && QUERY_SECRET_PARAMS.has(normalizeKey(key)));
      if (!sensitive) continue;
      out += text.slice(copied, valueStart) + quoted(value, marker);
      copied = valueEnd;
      i = valueEnd - 1;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  return {
    mask(text) {
      const found = triggers(text);
      let out = text;
      // Pairs first: `Authorization: Bearer abc` becomes one masked value, not a masked scheme.
      if (found & PAIR) out = maskPairs(out);
      if (found & SHAPE) out = out.replace(shapes, replaceShape);
      for (const pattern of userPatterns) {
        pattern.lastIndex = 0;
        out = out.replace(pattern, marker);
      }
      return out;
    },
  };
}

const SHAPE = 1;
const PAIR = 2;

/**
 * Which passes could find anything, in one pass over the characters (a regex pre-check with this
 * many alternatives costs several times more). Most log strings trigger neither.
 * - PAIR: `=` or `:` right after a letter (`password=`, `"token": `, `https://`);
 * - SHAPE: 13+ digits in a row, or 4 digits, a space or dash and 4 more (card numbers); `--` (PEM
 *   armour); `eyJ` (JWT); `A` + K/S/B/C/I (AWS key ids, Google keys); `bearer`/`basic` in any case;
 *   the `_` or `-` of a provider prefix (`sk_`, `ghp_`, `github_`, `npm_`, `xoxb-`, `glpat-`).
 */
export function triggers(text: string): number {
  const n = text.length;
  if (n < 8) return 0;
  let found = 0;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits >= 13) found |= SHAPE;
      continue;
    }
    // Most characters are lower-case letters that start no trigger: skip them first.
    if (c >= 99 && c <= 122 && c !== 121) {
      digits = 0;
      continue;
    }
    const run = digits;
    digits = 0;
    switch (c) {
      case 61: // =
      case 58: // :
        // `scheme://` holds a password only with an `@` after it.
        if (c === 58 && text.startsWith('//', i + 1)) {
          if (text.includes('@', i)) found |= PAIR;
        } else if (afterLetter(text, i)) found |= PAIR;
        break;
      case 32: // space
      case 45: // -
        if (run === 4 && digitsAt(text, i + 1, 4)) found |= SHAPE;
        else if (c === 45 && (text.charCodeAt(i + 1) === 45 || text.startsWith('glpat', i - 5) || text.startsWith('xox', i - 4))) found |= SHAPE;
        break;
      case 95: // _
        if (text.startsWith('k', i - 1) || text.startsWith('gh', i - 3) || text.startsWith('github', i - 6) || text.startsWith('npm', i - 3)) found |= SHAPE;
        break;
      case 121: // y
        if (text.charCodeAt(i - 1) === 101 && text.charCodeAt(i + 1) === 74) found |= SHAPE;
        break;
      case 65: {
        // A
        const next = text.charCodeAt(i + 1);
        if (next === 75 || next === 83 || next === 66 || next === 67 || next === 73) found |= SHAPE;
        break;
      }
      case 66: // B
      case 98: // b
        if (startsWithFolded(text, i + 1, 'earer') || startsWithFolded(text, i + 1, 'asic')) found |= SHAPE;
        break;
    }
    if (found === (SHAPE | PAIR)) return found;
  }
  return found;
}

/** Whether the character before `i`, skipping quotes, backslashes and spaces, is a letter. */
function afterLetter(text: string, i: number): boolean {
  const j = skipBack(text, i);
  if (j === 0) return false;
  const c = text.charCodeAt(j - 1) | 32;
  return c >= 97 && c <= 122;
}

/** Index just after the key that ends before the separator at `i` (skips `"`, `'`, `\` and spaces). */
function skipBack(text: string, i: number): number {
  let j = i;
  while (j > 0) {
    const c = text.charCodeAt(j - 1);
    if (c !== 34 && c !== 39 && c !== 92 && c !== 32) break;
    j--;
  }
  return j;
}

function skipForward(text: string, i: number): number {
  let j = i;
  while (j < text.length && text.charCodeAt(j) === 32) j++;
  return j;
}

/** `[A-Za-z0-9_.-]`: the characters of a key in free text (`aws_secret_access_key`, `x-api-key`, `db.password`). */
function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 95 || c === 46 || c === 45;
}

/** Where a value starting at `start` ends: a quoted string (JSON, escaped JSON, single quotes) or a bare token. */
function valueEndAt(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === 34) return closingQuote(text, start + 1, '"');
  if (c === 39) return closingQuote(text, start + 1, "'");
  if (c === 92 && text.charCodeAt(start + 1) === 34) {
    const end = text.indexOf('\\"', start + 2);
    return end < 0 ? text.length : end + 2;
  }
  let i = start;
  // `Authorization: Bearer abc`: the scheme and the credentials are one value.
  if (startsWithFolded(text, i, 'bearer ') || startsWithFolded(text, i, 'basic ')) i = skipForward(text, text.indexOf(' ', i));
  while (i < text.length && !isValueStop(text.charCodeAt(i))) i++;
  return i;
}

function closingQuote(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === quote) return i + 1;
    else if (ch === '\n') return i;
  }
  return text.length;
}

/** Whitespace, quotes, backslash and the punctuation that ends a value in JSON, query strings and prose. */
function isValueStop(c: number): boolean {
  return c <= 32 || c === 34 || c === 39 || c === 92 || c === 44 || c === 59 || c === 38 || c === 125 || c === 93 || c === 60 || c === 62;
}

/** End of a URL authority that starts at `from` (before the path, query, fragment or any space or quote). */
function authorityEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35 || c <= 32 || c === 34 || c === 39 || c === 92 || c === 62 || c === 60) break;
    i++;
  }
  return i;
}

function digitsAt(text: string, from: number, count: number): boolean {
  if (from + count > text.length) return false;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `text` holds the lower-case ASCII `word` at `from`, in any case. */
function startsWithFolded(text: string, from: number, word: string): boolean {
  if (from < 0 || from + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    const w = word.charCodeAt(i);
    const c = text.charCodeAt(from + i);
    if ((w === 32 ? c : c | 32) !== w) return false;
  }
  return true;
}

/** Keep the value's quotes so the surrounding JSON or prose stays well-formed. */
function quoted(value: string, marker: string): string {
  if (value.startsWith('\\"')) return `\\"${marker}\\"`;
  if (value.startsWith('"')) return `"${marker}"`;
  if (value.startsWith("'")) return `'${marker}'`;
  return marker;
}

/**
 * Mask every value of a URL's query string and fragment, keeping parameter names:
 * `/p?user=1&sig=abc` → `/p?user=[REDACTED]&sig=[REDACTED]`. For `url.full`, `http.target`,
 * `url.query`-style fields, where any parameter may carry a token.
 */
export function maskQueryValues(text: string, marker: string): string {
  const question = text.indexOf('?');
  // Without `?` the field is a bare query (`url.query`) unless it looks like a URL or a path.
  const start = question >= 0 ? question + 1 : text.includes('://') || text.startsWith('/') ? -1 : 0;
  if (start < 0 || !text.includes('=', start)) return text;
  const n = text.length;
  let out = text.slice(0, start);
  let i = start;
  while (i < n) {
    let j = i;
    while (j < n && !isQueryStop(text.charCodeAt(j)) && text.charCodeAt(j) !== 61) j++;
    if (j < n && text.charCodeAt(j) === 61) {
      let k = j + 1;
      while (k < n && !isQueryStop(text.charCodeAt(k))) k++;
      out += text.slice(i, j + 1) + (k > j + 1 ? marker : '');
      i = k;
    } else {
      out += text.slice(i, j);
      i = j;
    }
    if (i < n) out += text[i++];
  }
  return out;
}

/** `&`, `#`, `;` and whitespace end a query parameter. */
function isQueryStop(c: number): boolean {
  return c === 38 || c === 35 || c === 59 || c <= 32;
}

/** Normalized names (`http.target`, `url: { full }`, `request.url`) of fields that hold a URL or a query string. */
const URL_FIELDS = new Set(['href', 'urlfull', 'urloriginal', 'urlquery', 'httptarget', 'querystring', 'rawquerystring', 'rawquery', 'location', 'referer', 'referrer']);

/** Whether the field named `normalizedKey` holds a URL whose query values must be masked. */
export function isUrlField(normalizedKey: string): boolean {
  return URL_FIELDS.has(normalizedKey) || normalizedKey.endsWith('url') || normalizedKey.endsWith('uri');
}

/** The Luhn checksum, which every payment card number passes (and 9 in 10 random digit strings fail). */
export function passesLuhn(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function toGlobal(pattern: RegExp | string): RegExp {
  if (typeof pattern === 'string') return new RegExp(pattern, 'g');
  return pattern.global ? new RegExp(pattern.source, pattern.flags) : new RegExp(pattern.source, `${pattern.flags}g`);
}
