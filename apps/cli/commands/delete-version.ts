import type { Command } from '../command.js';
import { toJson } from '../format.js';
import { encodePath } from '../http.js';

interface DeleteAnswer {
  repository: string;
  name: string;
  version: string;
  position: number;
}

/** `strata delete`: DELETE /api/v1/repositories/<repo>/packages/<name>/versions/<version>. */
export const deleteVersionCommands: Command[] = [
  {
    path: ['delete'],
    args: '<repository> <package> <version>',
    summary: 'delete a version with all its files (an ArtifactDeleted event; admins can restore it within the window)',
    notes: 'The package name as the registry keeps it: Maven groupId:artifactId, PyPI the normalised project name. Needs the delete permission.',
    options: {},
    positionals: { min: 3, max: 3 },
    async run(ctx, { positionals }) {
      const [repository, name, version] = positionals as [string, string, string];
      const path = `/api/v1/repositories/${encodeURIComponent(repository)}/packages/${encodePath(name)}/versions/${encodeURIComponent(version)}`;
      const { body } = await ctx.api.json<DeleteAnswer>('DELETE', path);
      if (ctx.json) ctx.print(toJson(body));
      else ctx.print(`deleted ${body.name} ${body.version} in ${body.repository} (event ${body.position})`);
      return 0;
    },
  },
];
