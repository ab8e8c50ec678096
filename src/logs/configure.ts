/** The one call the lifecycle makes to set up logs from a resolved config. */
import type { Config } from '../config.ts';
import { installConsoleCapture, uninstallConsoleCapture } from './console-capture.ts';
import { applyLogSettings, type LogSettingsSource } from './settings.ts';

/** Apply levels, buffering, redaction and the string cap; install or remove console capture. */
export function configureLogs(config: LogSettingsSource & Pick<Config, 'logs'>): void {
  applyLogSettings(config);
  if (config.logs.captureConsole) installConsoleCapture();
  else uninstallConsoleCapture();
}
