import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { didYouMean } from '../config/suggest.js';
import { LOG_LEVELS, type LogLevel } from '../log-levels.js';

export type Command = 'validate' | 'plan' | 'apply' | 'import' | 'check';
export type OutputFormat = 'text' | 'json' | 'markdown';

export interface RateOption {
  requests: number;
  perSeconds: number;
}

export interface CliOptions {
  command: Command;
  configPath: string;
  concurrency: number;
  statePath: string | null;
  output: OutputFormat;
  detailedExitcode: boolean;
  logLevel: LogLevel;
  apiUrl: string | null;
  maxRetries: number;
  /** null: the pacer is off ("--rate off"). */
  rate: RateOption | null;
  timeoutSeconds: number;
  planOut: string | null;
  planIn: string | null;
  /** apply: how long to wait for another apply's lock on the state file; 0 fails at once. */
  lockTimeoutSeconds: number;
  /** validate: unset ${VAR}s and a missing account ID are warnings (CI jobs without secrets). */
  allowUnsetEnv: boolean;
  /** apply: no prompt on a terminal. */
  yes: boolean;
  /** apply: this run may delete up to N objects (null: max_deletes or the default limit). */
  allowDeletes: number | null;
  /** import: where the secrets go (a new 0600 file); null: nowhere. */
  secretsOut: string | null;
  /** import: the account (else CLOUDFLARE_ACCOUNT_ID). */
  accountId: string | null;
  /** check: also a TSIG-signed AXFR; also the SOA query over UDP; only this zone. */
  axfr: boolean;
  udp: boolean;
  zone: string | null;
}

/** `asked`: --help was given; without it (a bare `dnsctl`) help is a usage error. */
export type ParsedArgs = { kind: 'help'; command: Command | null; asked: boolean } | { kind: 'version' } | { kind: 'run'; options: CliOptions };

const COMMANDS: readonly Command[] = ['validate', 'plan', 'apply', 'import', 'check'];
/**
 * Requests in flight at once. The account budget (1200 per 5 minutes) is the pacer's job, not
 * this one's; 8 halves the wall time of runs under the budget compared with 4, with the same
 * requests, and stays below Terraform's default of 10 operations at once against the same API.
 */
export const DEFAULT_CONCURRENCY = 8;
const OPTION_SPEC = {
  concurrency: { type: 'string' },
  state: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'detailed-exitcode': { type: 'boolean' },
  'log-level': { type: 'string' },
  'api-url': { type: 'string' },
  'max-retries': { type: 'string' },
  rate: { type: 'string' },
  timeout: { type: 'string' },
  out: { type: 'string' },
  plan: { type: 'string' },
  'lock-timeout': { type: 'string' },
  'allow-unset-env': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'allow-deletes': { type: 'string' },
  'secrets-out': { type: 'string' },
  'account-id': { type: 'string' },
  axfr: { type: 'boolean' },
  udp: { type: 'boolean' },
  zone: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/** Which options each command accepts (beyond --help and --log-level). */
export const ACCEPTS: Record<Command, readonly string[]> = {
  validate: ['output', 'allow-unset-env'],
  plan: ['concurrency', 'state', 'output', 'detailed-exitcode', 'api-url', 'max-retries', 'rate', 'timeout', 'out'],
  apply: ['concurrency', 'state', 'output', 'api-url', 'max-retries', 'rate', 'timeout', 'plan', 'lock-timeout', 'yes', 'allow-deletes'],
  import: ['out', 'secrets-out', 'account-id', 'state', 'concurrency', 'api-url', 'max-retries', 'rate', 'timeout'],
  check: ['concurrency', 'output', 'timeout', 'axfr', 'udp', 'zone'],
};

export function parseCliArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTION_SPEC, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/\. To specify a positional.*$/s, '')}${suggestOption(err)}. See dnsctl --help`);
  }
  const { values, positionals } = parsed;
  if (values.version) return { kind: 'version' };
  const [commandWord, configPath, ...extra] = positionals;
  const command = commandWord as Command | undefined;
  if (command !== undefined && !COMMANDS.includes(command)) {
    throw new UsageError(`unknown command "${commandWord}"${didYouMean(commandWord!, COMMANDS)}; the commands are ${COMMANDS.join(', ')}. See dnsctl --help`);
  }
  if (values.help || command === undefined) return { kind: 'help', command: command ?? null, asked: values.help === true };
  // import writes a config rather than reading one: its path is --out.
  if (command === 'import') {
    if (configPath) throw new UsageError(`unexpected argument "${configPath}"; dnsctl import writes the config named by --out FILE`);
    if (!values.out) throw new UsageError('dnsctl import needs --out FILE: where to write the config');
  }
  const effectiveConfig = command === 'import' ? values.out! : configPath;
  if (!effectiveConfig) throw new UsageError(`dnsctl ${command} needs the config file: dnsctl ${command} <config.yaml>`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"; dnsctl ${command} takes one config file`);

  for (const name of Object.keys(values)) {
    if (['help', 'version', 'log-level'].includes(name)) continue;
    if (!ACCEPTS[command].includes(name)) throw new UsageError(`--${name} does not apply to dnsctl ${command}`);
  }

  if (command === 'validate' && values.output === 'markdown') {
    throw new UsageError('--output for dnsctl validate takes text or json, got "markdown"');
  }

  return {
    kind: 'run',
    options: {
      command,
      configPath: effectiveConfig,
      concurrency: integerOption('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1, 64),
      statePath: values.state ?? null,
      output: choiceOption('output', values.output, ['text', 'json', 'markdown'] as const, 'text'),
      detailedExitcode: values['detailed-exitcode'] ?? false,
      logLevel: choiceOption('log-level', values['log-level'], LOG_LEVELS, 'warn'),
      apiUrl: values['api-url'] ?? null,
      maxRetries: integerOption('max-retries', values['max-retries'], 4, 0, 20),
      rate: rateOption(values.rate),
      timeoutSeconds: command === 'check' ? secondsOption(values.timeout, 5) : integerOption('timeout', values.timeout, 30, 1, 600),
      planOut: command === 'import' ? null : (values.out ?? null),
      planIn: values.plan ?? null,
      allowUnsetEnv: values['allow-unset-env'] ?? false,
      lockTimeoutSeconds: integerOption('lock-timeout', values['lock-timeout'], 0, 0, 86_400),
      yes: values.yes ?? false,
      allowDeletes: values['allow-deletes'] === undefined ? null : integerOption('allow-deletes', values['allow-deletes'], 0, 0, 1_000_000),
      secretsOut: values['secrets-out'] ?? null,
      accountId: accountIdOption(values['account-id']),
      axfr: values.axfr ?? false,
      udp: values.udp ?? false,
      zone: values.zone ?? null,
    },
  };
}

/** ` (did you mean "--concurrency"?)` for parseArgs' unknown-option error; "" otherwise. */
function suggestOption(err: unknown): string {
  if ((err as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return '';
  const given = /Unknown option '(--[^'=]+)/.exec((err as Error).message)?.[1];
  if (!given) return '';
  return didYouMean(given, Object.keys(OPTION_SPEC).map((name) => `--${name}`));
}

function accountIdOption(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!/^[0-9a-f]{32}$/.test(raw)) throw new UsageError(`--account-id takes the 32 lowercase hexadecimal characters of the account ID, got "${raw}"`);
  return raw;
}

function integerOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** check: `--timeout 2` or `--timeout 0.5` (seconds, 0.1 to 600). */
function secondsOption(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || n < 0.1 || n > 600) throw new UsageError(`--timeout takes seconds from 0.1 to 600, got "${raw}"`);
  return n;
}

function choiceOption<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} takes one of ${choices.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** `--rate 1200/300` (requests per seconds: bucket size and refill), or `--rate off`. */
function rateOption(raw: string | undefined): RateOption | null {
  if (raw === undefined) return { requests: 1200, perSeconds: 300 };
  if (raw === 'off') return null;
  const match = /^(\d+)\/(\d+)s?$/.exec(raw);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new UsageError(`--rate takes REQUESTS/SECONDS (e.g. 1200/300) or "off", got "${raw}"`);
  }
  return { requests: Number(match[1]), perSeconds: Number(match[2]) };
}

const COMMON_OPTIONS = `  --state FILE                  state/report file (default: <config>.state.json beside the config)
  --concurrency N               parallel requests, 1-64 (default ${DEFAULT_CONCURRENCY})
  --api-url URL                 API base URL (default $CLOUDFLARE_BASE_URL, else Cloudflare's)
  --max-retries N               retries of a failed request (default 4)
  --rate N/S                    request budget: N requests per S seconds (default 1200/300), or off
  --timeout SECONDS             per-request timeout (default 30)
  --log-level LEVEL             pino JSON logs on stderr: fatal|error|warn|info|debug|trace|silent
`;

export const HELP: Record<'main' | Command, string> = {
  main: `dnsctl — GitOps for Cloudflare secondary DNS (TSIG keys, peers, ACLs and zone transfer links)

Usage:
  dnsctl validate <config>   check the config offline (no credentials needed)
  dnsctl plan <config>       show what apply would change; never writes to the account
  dnsctl apply <config>      make the account match the config; writes the state/report file
  dnsctl import --out FILE   write a config (and state file) from what the account holds
  dnsctl check <config>      prove over DNS (TSIG-signed SOA, AXFR) that each zone transfer works

Run "dnsctl <command> --help" for a command's options.
  -h, --help        this help
  -V, --version     print the version

Environment:
  CLOUDFLARE_API_TOKEN                     API token ("Account Settings Write" permission)
  CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY    legacy global key, instead of the token
  CLOUDFLARE_ACCOUNT_ID                    account, when the config has no account_id
  CLOUDFLARE_BASE_URL                      API base URL (default https://api.cloudflare.com/client/v4)
  DNSCTL_MAX_RESPONSE_MB                   largest API answer read, in MiB (default 16)
  NO_COLOR                                 no colour in the output

Exit codes: 0 success, 1 error (invalid config, auth, API, partial apply),
            2 with plan --detailed-exitcode: there are changes, 130/143 interrupted.
`,
  validate: `Usage: dnsctl validate <config> [--output text|json] [--allow-unset-env]

Checks the config against the schema and the semantic rules (unique names, TSIG references,
addresses, ports, algorithms, \${VAR} references) without contacting Cloudflare.
Prints every problem as file:line:col and exits 1 if there is any.
  --allow-unset-env   an unset \${VAR} (or no account ID) is a warning, not an error: for CI
                      jobs that get no secrets, such as pull requests from forks
`,
  plan: `Usage: dnsctl plan <config> [options]

Reads the account and prints what apply would do. Never writes to the account.
  --output text|json|markdown   how to print the plan (default text)
  --out FILE                    also write the plan to FILE, for "dnsctl apply --plan FILE"
  --detailed-exitcode           exit 2 when the plan has changes (0: none, 1: error)
${COMMON_OPTIONS}`,
  apply: `Usage: dnsctl apply <config> [options]

Makes the account match the config: TSIGs before the peers that use them, at most N requests
at once. Writes the state/report file, also when something fails or the run is interrupted.
  --plan FILE                   apply exactly this plan (from "dnsctl plan --out FILE"); refuse if
                                the config or the account changed since it was made
  --output text|json|markdown   how to print the results (default text)
  --lock-timeout SECONDS        wait this long for another apply of the same state file to finish
                                (default 0: fail at once, naming the holder of <state>.lock)
  -y, --yes                     do not ask "Apply these changes?" on a terminal (never asked without one)
  --allow-deletes N             this run may delete up to N objects (default: max_deletes in the
                                config, else max(3, 30 % of the managed objects); more: refused)
${COMMON_OPTIONS}`,
  import: `Usage: dnsctl import --out FILE [--secrets-out FILE] [--account-id ID] [options]

Reads the account (TSIGs, peers, ACLs, and the links of every zone) and writes a commented config
that declares all of it (manage: all), plus the state file beside it recording every object as
managed. TSIG secrets become \${TSIG_<NAME>_SECRET} references; the command lists the variables.
Refuses to overwrite any file.
  --out FILE                    the config to write (must not exist)
  --secrets-out FILE            also write the secrets as VAR=secret lines to this NEW file (mode 0600);
                                without it the secrets are written nowhere
  --account-id ID               the account (default $CLOUDFLARE_ACCOUNT_ID)
${COMMON_OPTIONS}`,
  check: `Usage: dnsctl check <config> [options]

For every zone with an incoming link, and every linked peer with an ip: a TSIG-signed SOA query
over TCP, the answer's TSIG verified. Reports per zone and peer: reachable, rcode, TSIG outcome,
authoritative, SOA serial. Needs no API token; reads nothing from Cloudflare.
Exit 0 when every probe passes, 1 otherwise.
  --axfr                        also a TSIG-signed AXFR (every message verified): records, serial
  --udp                         also the SOA query over UDP
  --zone NAME                   check this zone only
  --timeout SECONDS             longest wait for a connection or an answer (default 5)
  --concurrency N               probes at once, 1-64 (default ${DEFAULT_CONCURRENCY})
  --output text|json|markdown   how to print the report (default text)
  --log-level LEVEL             pino JSON logs on stderr: fatal|error|warn|info|debug|trace|silent
`,
};
