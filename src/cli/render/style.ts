/**
 * Terminal styling: ANSI colours only when writing to a TTY, never with `NO_COLOR` set
 * (https://no-color.org), always with `FORCE_COLOR` set to something other than 0.
 */

export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
  gray(text: string): string;
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;

/** Whether to colour a stream, from the environment the CLI was started with. */
export function wantsColor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function createStyle(enabled: boolean): Style {
  const paint = (open: number, close: number) => (text: string) => (enabled && text ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  const style = { enabled } as { -readonly [K in keyof Style]: Style[K] };
  for (const [name, [open, close]] of Object.entries(CODES)) {
    (style as unknown as Record<string, unknown>)[name] = paint(open, close);
  }
  return Object.freeze(style);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** The printed width of `text` (ANSI codes take no room). */
export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

/** Pad `text` with spaces on the right to `width` printed columns. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

/** Cut plain `text` to `width` columns with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 1) return text.slice(0, Math.max(0, width));
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
