/**
 * Which lines are written: the root level, per-name overrides and per-name remaps.
 *
 * Logger names are dotted and hierarchical: a setting for `db` covers `db.pool` and `db.pool.idle`
 * unless a more specific name has its own. Remaps (`vendor.sdk: error → warn`) rewrite a line's
 * level before it is filtered, so a library that logs routine events as errors can be fixed by the
 * application without touching the library. Decisions are cached per logger name.
 */
import type { LogLevel } from '../config.ts';

/** error = alert now, warn = look within a business day, info = normal flow, debug = only when asked. */
export const SEVERITY: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LevelRemap = Readonly<Partial<Record<LogLevel, LogLevel>>>;

export interface LevelSettings {
  readonly root: LogLevel;
  /** Per-name minimum levels: `{ db: 'warn', 'http.client': 'error' }`. */
  readonly levels: Readonly<Record<string, LogLevel>>;
  /** Per-name level rewrites: `{ 'vendor.sdk': { error: 'warn' } }`. */
  readonly remaps: Readonly<Record<string, LevelRemap>>;
}

/** What applies to one logger name. */
export interface LoggerPolicy {
  /** Lines of severity number <= this are written. */
  readonly threshold: number;
  /** The threshold comes from a per-name override: the user chose this logger's level explicitly. */
  readonly overridden: boolean;
  /** Level rewrites for this name (merged from its ancestors, the most specific winning per level). */
  readonly remap: LevelRemap | undefined;
}

let settings: LevelSettings = { root: 'info', levels: {}, remaps: {} };
let configured = false;
const policies = new Map<string, LoggerPolicy>();

/** Replace the level settings; every cached decision is dropped. */
export function configureLevels(next: LevelSettings): void {
  settings = next;
  configured = true;
  policies.clear();
}

/** Whether `configureLevels` was called (before that, the env's settings apply). */
export function levelsConfigured(): boolean {
  return configured;
}

/** The policy of `name`, computed once per name. */
export function policyOf(name: string): LoggerPolicy {
  let policy = policies.get(name);
  if (!policy) {
    policy = computePolicy(name);
    // Names are code constants in practice; a bound keeps a name-per-request mistake from leaking memory.
    if (policies.size >= 1024) policies.clear();
    policies.set(name, policy);
  }
  return policy;
}

function computePolicy(name: string): LoggerPolicy {
  let level: LogLevel | undefined;
  const remap: Partial<Record<LogLevel, LogLevel>> = {};
  let remapped = false;
  // From the most specific name up to the root: the first hit wins.
  for (const candidate of ancestry(name)) {
    level ??= settings.levels[candidate];
    const entry = settings.remaps[candidate];
    if (entry) {
      for (const [from, to] of Object.entries(entry) as [LogLevel, LogLevel][]) {
        if (!(from in remap)) {
          remap[from] = to;
          remapped = true;
        }
      }
    }
  }
  return {
    threshold: SEVERITY[level ?? settings.root],
    overridden: level !== undefined,
    remap: remapped ? remap : undefined,
  };
}

/** `a.b.c` → `a.b.c`, `a.b`, `a`. */
function ancestry(name: string): string[] {
  const names = [name];
  for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) names.push(name.slice(0, dot));
  return names;
}
