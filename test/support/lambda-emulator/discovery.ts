// Lambda's discovery of external extensions.
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Lambda starts every executable file in /opt/extensions as an external extension. */
export async function discoverExtensions(optDir: string | undefined): Promise<string[]> {
  if (!optDir) return [];
  const dir = join(optDir, 'extensions');
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (await access(path, constants.X_OK).then(() => true, () => false)) files.push(path);
  }
  return files;
}
