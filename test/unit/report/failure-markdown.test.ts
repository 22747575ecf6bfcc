import { describe, expect, it } from 'vitest';
import { ApiError, ConfigError, CredentialsError, NetworkError, StateFileError, type Problem } from '../../../src/errors.js';
import { failureHint, renderFailureMarkdown } from '../../../src/report/markdown.js';

const META = { command: 'plan', configPath: 'dnsctl.yaml', version: '0.1.0' };

function problem(line: number, message: string, extra: Partial<Problem> = {}): Problem {
  return { file: 'dnsctl.yaml', line, col: 5, path: `peers[${line}].ip`, message, severity: 'error', ...extra };
}

describe('renderFailureMarkdown', () => {
  it('lists config problems by line, with file:line:col from the repository root, warnings marked', () => {
    const err = new ConfigError([problem(9, 'must be an IP address'), problem(3, 'unused TSIG <b>', { severity: 'warning', path: '' }), problem(4, 'port out of range')]);
    const md = renderFailureMarkdown(err, META, (file) => `dns/${file}`);
    expect(md).toBe(
      [
        '### dnsctl plan failed: <code>dnsctl.yaml</code>',
        '',
        '**2 problems in the config**; nothing was changed. Fix them and push again.',
        '',
        '- <code>dns/dnsctl.yaml:3:5</code> (warning) unused TSIG &lt;b&gt;',
        '- <code>dns/dnsctl.yaml:4:5</code> <code>peers&#91;4&#93;.ip</code>: port out of range',
        '- <code>dns/dnsctl.yaml:9:5</code> <code>peers&#91;9&#93;.ip</code>: must be an IP address',
        '',
        '<sub>dnsctl 0.1.0 · config <code>dnsctl.yaml</code></sub>',
        '',
      ].join('\n'),
    );
  });

  it('shows an API error with what to do about it', () => {
    const err = new ApiError('GET tsigs', 403, [{ code: 10000, message: 'Authentication error' }], 'GET tsigs: Cloudflare answered 403 (code 10000): Authentication error');
    const md = renderFailureMarkdown(err, { ...META, command: 'apply' });
    expect(md).toContain('### dnsctl apply failed: <code>dnsctl.yaml</code>');
    expect(md).toContain('> [!CAUTION]\n> **The run stopped with this error**\n> - GET tsigs: Cloudflare answered 403 (code 10000): Authentication error');
    expect(md).toContain('**What to do:** Check the token: it needs Account › Account Settings › Edit on this account');
  });

  it('keeps untrusted text in an error inert', () => {
    const md = renderFailureMarkdown(new StateFileError('state file <img src=x> | is corrupt'), META);
    expect(md).toContain('state file &lt;img src=x&gt; &#124; is corrupt');
    expect(md).not.toContain('What to do');
  });
});

describe('failureHint', () => {
  it('says what to do for errors whose message does not', () => {
    expect(failureHint(new CredentialsError('no credentials'))).toMatch(/CLOUDFLARE_API_TOKEN/);
    expect(failureHint(new ApiError('GET peers', 429, [], 'rate limited'))).toMatch(/budget/);
    expect(failureHint(new ApiError('GET peers', 502, [], 'bad gateway'))).toMatch(/run the job again/);
    expect(failureHint(new NetworkError('GET peers', 'connection refused', false))).toMatch(/run the job again/);
    expect(failureHint(new ApiError('POST peers', 400, [], 'bad request'))).toBeNull();
    expect(failureHint(new Error('x'))).toBeNull();
  });
});
