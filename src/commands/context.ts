import type { Logger } from '../log.js';
import type { CliOptions } from '../cli/options.js';
import type { Style } from '../report/style.js';

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface CommandContext {
  options: CliOptions;
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  style: Style;
  /** Aborted on SIGINT/SIGTERM: stop starting new work. */
  signal: AbortSignal;
  /** Run by the CLI when the command ends (close keep-alive connections, ...). */
  cleanups: Array<() => Promise<void> | void>;
}
