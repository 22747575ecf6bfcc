/** Colour only on a TTY and never with NO_COLOR (https://no-color.org). */
export interface Style {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const paint = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;

export const colourStyle: Style = { green: paint(32), yellow: paint(33), red: paint(31), dim: paint(2), bold: paint(1) };
const identity = (s: string) => s;
export const plainStyle: Style = { green: identity, yellow: identity, red: identity, dim: identity, bold: identity };

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return stream.isTTY && !noColor && env.TERM !== 'dumb' ? colourStyle : plainStyle;
}
