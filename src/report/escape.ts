/**
 * Text from the account (names, values, error messages) is data that dnsctl does not control.
 * Printed raw, an ESC sequence would drive the terminal, a CR or LF would forge output lines,
 * bidi and zero-width characters would make one name look like another, and a line starting with
 * `::` is run by GitHub Actions as a workflow command. These helpers make such text inert.
 */

/**
 * C0 and C1 controls (NUL, ESC, CR, LF, ...), DEL, zero-width characters and bidi controls:
 * characters that change how text is shown rather than showing something.
 */
export const INVISIBLE_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u061c]/gu;

/** `\u{1b}` for each such character: visible, and unambiguous about what it was. */
export function escapeText(text: string): string {
  return text.replace(INVISIBLE_OR_CONTROL, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}

/**
 * A line that starts with `::` (after spaces, as the runner reads it) would be a workflow command
 * in GitHub Actions: it gets a `\` in front. For text dnsctl prints that holds data from outside;
 * dnsctl's own workflow commands are written elsewhere, on purpose.
 */
export function neutraliseWorkflowCommands(text: string): string {
  return text.replace(/^([^\S\r\n]*)::/gm, '$1\\::');
}

/** Both: for one line of text (no line break survives escapeText). */
export function safeLine(text: string): string {
  return neutraliseWorkflowCommands(escapeText(text));
}
