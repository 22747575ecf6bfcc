import { createInterface } from 'node:readline';
import type { OutputStream } from './context.js';

export const APPLY_QUESTION = 'Apply these changes? (yes/no) ';

/** Ask only a person: stdin and stdout both terminals (a CI job has neither), and no --yes. */
export function isInteractive(stdout: OutputStream, stdin: { isTTY?: boolean } = process.stdin): boolean {
  return stdout.isTTY === true && stdin.isTTY === true;
}

/**
 * Asks once; "yes" or "y" (any case) is yes, anything else — "no", an empty line, end of input,
 * Ctrl-C, an interrupt — is no. The terminal echoes the answer itself (cooked mode).
 */
export function askYesNo(question: string, output: OutputStream, signal: AbortSignal, input: NodeJS.ReadableStream = process.stdin): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let settled = false;
    const finish = (answer: boolean) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      rl.close();
      input.pause();
      resolve(answer);
    };
    const onAbort = () => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => finish(/^\s*(yes|y)\s*$/i.test(line)));
    rl.once('close', () => finish(false));
    rl.once('SIGINT', () => finish(false));
    output.write(question);
  });
}
