import { stringOption } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { toJson } from '../format.js';
import { encodePath } from '../http.js';

interface YankAnswer {
  repository: string;
  name: string;
  version: string;
  yanked: boolean;
  reason?: string;
}

/** `strata yank` / `strata unyank`: POST /api/v1/repositories/<repo>/packages/<name>/versions/<version>/yank. */
function yankCommand(yanked: boolean): Command {
  return {
    path: [yanked ? 'yank' : 'unyank'],
    args: yanked ? '<repository> <package> <version> [--reason <text>]' : '<repository> <package> <version>',
    summary: yanked ? 'yank a version: installers skip it unless it is pinned exactly (PyPI PEP 592)' : 'take a yank back',
    notes: 'The package name as the registry keeps it: for PyPI the normalised project name (Bars_Hello is bars-hello) and the release as listed. Needs the delete permission.',
    options: yanked ? { reason: { type: 'string', value: '<text>', description: 'why (pip shows it to whoever installs the version by pin)' } } : {},
    positionals: { min: 3, max: 3 },
    async run(ctx, { values, positionals }) {
      const [repository, name, version] = positionals as [string, string, string];
      const reason = stringOption(values, 'reason');
      if (reason !== undefined && !reason.trim()) throw new UsageError('--reason needs some text', 'yank');
      const path = `/api/v1/repositories/${encodeURIComponent(repository)}/packages/${encodePath(name)}/versions/${encodeURIComponent(version)}/yank`;
      const { body } = await ctx.api.json<YankAnswer>('POST', path, { json: { yanked, ...(reason ? { reason } : {}) } });
      if (ctx.json) ctx.print(toJson(body));
      else ctx.print(`${yanked ? 'yanked' : 'un-yanked'} ${body.name} ${body.version} in ${body.repository}${body.reason ? ` (${body.reason})` : ''}`);
      return 0;
    },
  };
}

export const yankCommands: Command[] = [yankCommand(true), yankCommand(false)];
