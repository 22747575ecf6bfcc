/** The Cloudflare account ID: `account_id` in the file, else CLOUDFLARE_ACCOUNT_ID. */
import type { Problem } from '../errors.js';
import { problemAt, type ConfigDocument } from './positions.js';
import { describeValue, fileProblem, type IsHidden } from './problems.js';

export const ACCOUNT_ID_VARIABLE = 'CLOUDFLARE_ACCOUNT_ID';

const ACCOUNT_ID = /^[0-9a-f]{32}$/;
const REQUIREMENT = 'must be exactly 32 lowercase hexadecimal characters (the ID in the Cloudflare dashboard URL)';

export interface AccountIdResolution {
  accountId: string | null;
  problems: Problem[];
  /** Neither the file nor the environment gives one (as opposed to one that is malformed). */
  missing?: boolean;
}

export function resolveAccountId(
  source: ConfigDocument,
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  isHidden: IsHidden,
): AccountIdResolution {
  const inFile = config.account_id;
  if (inFile !== undefined) {
    // A value of another type is the schema check's to report.
    if (typeof inFile !== 'string') return { accountId: null, problems: [] };
    if (ACCOUNT_ID.test(inFile)) return { accountId: inFile, problems: [] };
    const message = `${REQUIREMENT}, got ${describeValue(inFile, isHidden(['account_id']))}`;
    return { accountId: null, problems: [problemAt(source, ['account_id'], message)] };
  }
  // Trimmed like the token: `echo "$ID" > file` and secret stores add a trailing newline.
  const fromEnv = env[ACCOUNT_ID_VARIABLE]?.trim();
  if (fromEnv === undefined || fromEnv === '') {
    const message = `no account ID: set account_id in this file or the ${ACCOUNT_ID_VARIABLE} environment variable`;
    return { accountId: null, missing: true, problems: [problemAt(source, [], message, { problemPath: ['account_id'] })] };
  }
  if (!ACCOUNT_ID.test(fromEnv)) {
    return { accountId: null, problems: [fileProblem(source.file, `the ${ACCOUNT_ID_VARIABLE} environment variable ${REQUIREMENT}`)] };
  }
  return { accountId: fromEnv, problems: [] };
}
